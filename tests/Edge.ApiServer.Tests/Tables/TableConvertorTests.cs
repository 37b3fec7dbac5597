using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Tables;
using static Edge.ApiServer.Tests.Tables.TableAssert;

namespace Edge.ApiServer.Tests.Tables;

public sealed class TableConvertorTests
{
    const string Pod = """
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"prod","labels":{"app":"web"}},"spec":{"containers":[]},"status":{}}
        """;

    [Fact]
    public void ToTable_HasTableEnvelope()
    {
        var table = TableConvertor.ToTable(Resource("", "pods"), [JsonNode.Parse(Pod)!.AsObject()], Now, false, "17", "next");
        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", table["apiVersion"]!.GetValue<string>());
        Assert.Equal("17", table["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("next", table["metadata"]!["continue"]!.GetValue<string>());
        var column = table["columnDefinitions"]![0]!;
        Assert.Equal("name", column["format"]!.GetValue<string>());
        Assert.Equal(0, column["priority"]!.GetValue<int>());
    }

    [Fact]
    public void ToTable_WithoutObject_RowsCarryPartialObjectMetadata()
    {
        var table = Table("", "pods", Pod);
        var obj = table["rows"]![0]!["object"]!;
        Assert.Equal("PartialObjectMetadata", obj["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", obj["apiVersion"]!.GetValue<string>());
        Assert.Equal("prod", obj["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("web", obj["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Null(obj["spec"]);
    }

    [Fact]
    public void ToTable_WithObject_RowsCarryWholeObject()
    {
        var obj = Table("", "pods", Pod, includeObject: true)["rows"]![0]!["object"]!;
        Assert.Equal("Pod", obj["kind"]!.GetValue<string>());
        Assert.NotNull(obj["spec"]);
    }

    [Fact]
    public void ToTable_ObjectsStillOwnedByAList_AreCopied()
    {
        var list = JsonNode.Parse($$"""{"items":[{{Pod}}]}""")!;
        var item = list["items"]![0]!.AsObject();
        var table = TableConvertor.ToTable(Resource("", "pods"), [item], Now, true, null, null);
        Assert.Single(table["rows"]!.AsArray());
        Assert.Empty(table["metadata"]!.AsObject());
    }

    [Fact]
    public void EveryCatalogResource_RowMatchesItsColumns()
    {
        var minimal = JsonNode.Parse("""{"metadata":{"name":"x"}}""")!.AsObject();
        foreach (var resource in ResourceCatalog.Resources)
        {
            var table = TableConvertor.ToTable(resource, [minimal], Now, false, null, null);
            Assert.Equal(table["columnDefinitions"]!.AsArray().Count, table["rows"]![0]!["cells"]!.AsArray().Count);
            Assert.Contains(table["columnDefinitions"]!.AsArray(), c => c!["name"]!.GetValue<string>() == "Name");
        }
    }
}
