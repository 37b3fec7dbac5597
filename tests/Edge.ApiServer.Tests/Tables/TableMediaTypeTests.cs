using Edge.ApiServer.Tables;

namespace Edge.ApiServer.Tests.Tables;

public sealed class TableMediaTypeTests
{
    [Theory]
    [InlineData("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", true)]
    [InlineData("application/json; as=Table; g=meta.k8s.io; v=v1", true)]
    [InlineData("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", false)]
    [InlineData("application/json, */*", false)]
    [InlineData(null, false)]
    public void IsRequested_OnlyForTableV1(string? accept, bool expected)
    {
        Assert.Equal(expected, TableMediaType.IsRequested(accept));
    }

    [Fact]
    public void IncludesWholeObject_OnlyForObject()
    {
        Assert.True(TableMediaType.IncludesWholeObject("Object"));
        Assert.False(TableMediaType.IncludesWholeObject("Metadata"));
        Assert.False(TableMediaType.IncludesWholeObject(null));
    }
}
