using System.Text.Json.Nodes;
using Edge.Api.Schema;

namespace Edge.Api.Tests.Patching;

/// <summary>A dictionary-backed <see cref="IPatchSchema"/> describing just the fields the tests touch.</summary>
internal sealed class TestSchema : IPatchSchema
{
    public Dictionary<string, TestSchema> Properties { get; init; } = [];

    public TestSchema? Items { get; init; }

    public bool MergeList { get; init; }

    public string? MergeKey { get; init; }

    public bool RetainKeys { get; init; }

    IPatchSchema? IPatchSchema.Items => Items;

    public IPatchSchema? Property(string name) => Properties.GetValueOrDefault(name);

    public static TestSchema Object(params (string Name, TestSchema Schema)[] properties) =>
        new() { Properties = properties.ToDictionary(p => p.Name, p => p.Schema) };

    public static TestSchema MergedBy(string key, TestSchema items, bool retainKeys = false) =>
        new() { MergeList = true, MergeKey = key, Items = items, RetainKeys = retainKeys };

    public static readonly TestSchema Scalar = new();

    public static readonly TestSchema PrimitiveSet = new() { MergeList = true, Items = Scalar };

    public static readonly TestSchema ObjectMeta = Object(
        ("labels", Scalar),
        ("annotations", Scalar),
        ("finalizers", PrimitiveSet));

    public static readonly TestSchema Container = Object(
        ("env", MergedBy("name", Object())),
        ("ports", MergedBy("containerPort", Object())),
        ("volumeMounts", MergedBy("mountPath", Object())));

    public static readonly TestSchema PodSpec = Object(
        ("containers", MergedBy("name", Container)),
        ("initContainers", MergedBy("name", Container)),
        ("volumes", MergedBy("name", Object(), retainKeys: true)));

    public static readonly TestSchema Deployment = Object(
        ("metadata", ObjectMeta),
        ("spec", Object(
            ("strategy", new TestSchema { RetainKeys = true }),
            ("template", Object(("metadata", ObjectMeta), ("spec", PodSpec))))));
}

internal static class Json
{
    public static JsonNode Parse(string json) => JsonNode.Parse(json.Replace('\'', '"'))!;

    /// <summary>Compares structurally, but reports both sides as text so a failure is readable.</summary>
    public static void Equal(string expected, JsonNode? actual)
    {
        var want = Parse(expected);
        Assert.True(JsonNode.DeepEquals(want, actual), $"expected {want.ToJsonString()}\n     got {actual?.ToJsonString() ?? "null"}");
    }
}
