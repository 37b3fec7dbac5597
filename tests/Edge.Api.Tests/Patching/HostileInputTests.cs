using System.Text.Json.Nodes;
using Edge.Api.Patching;

namespace Edge.Api.Tests.Patching;

/// <summary>Whatever a client sends, the only exception out of a patch is <see cref="PatchException"/>, and the stack holds.</summary>
public sealed class HostileInputTests
{
    [Fact]
    public void StrategicApply_PatchTooDeep_Is400()
    {
        var e = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(new JsonObject(), Nesting.Deep(PatchLimits.MaxDepth + 1), TestSchema.PodSpec));
        Assert.Equal(400, e.StatusCode);
    }

    [Fact]
    public void StrategicApply_OriginalTooDeep_Is400()
    {
        var e = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(Nesting.Deep(PatchLimits.MaxDepth + 1), new JsonObject(), null));
        Assert.Equal(400, e.StatusCode);
    }

    [Fact]
    public void StrategicApply_AtMaxDepth_Merges()
    {
        var result = StrategicMergePatch.Apply(Nesting.Deep(PatchLimits.MaxDepth), Nesting.Deep(PatchLimits.MaxDepth, "b"), null);
        Assert.Equal(PatchLimits.MaxDepth, ChainDepth(result));
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(256 * 1024)]
    public void AllApply_SmallStack_PatchExceptionNotOverflow(int stackSize)
    {
        // A thread with a tiny stack must get a result or a PatchException from the stack guard, never a crash.
        Exception? caught = null;
        var thread = new Thread(() =>
        {
            try
            {
                var deep = Nesting.Deep(PatchLimits.MaxDepth);
                StrategicMergePatch.Apply(deep, Nesting.Deep(PatchLimits.MaxDepth), null);
                JsonMergePatch.Apply(deep, Nesting.Deep(PatchLimits.MaxDepth));
                JsonPatch.Apply(deep, new JsonArray(new JsonObject { ["op"] = "test", ["path"] = "", ["value"] = Nesting.Deep(PatchLimits.MaxDepth) }));
            }
            catch (Exception e)
            {
                caught = e;
            }
        }, stackSize);
        thread.Start();
        thread.Join();
        if (caught is not null)
            Assert.Equal(400, Assert.IsType<PatchException>(caught).StatusCode);
    }

    [Fact]
    public void StrategicApply_HugeList_StaysFast()
    {
        // Merging by key uses dictionaries, so a list of 5,000 items is not quadratic (25M comparisons if it were).
        var original = new JsonArray();
        var patch = new JsonArray();
        for (var i = 0; i < 5_000; i++)
        {
            original.Add(new JsonObject { ["name"] = $"c{i}" });
            patch.Add(new JsonObject { ["name"] = $"c{i}", ["image"] = "x" });
        }
        var started = DateTime.UtcNow;
        var result = StrategicMergePatch.Apply(new JsonObject { ["containers"] = original }, new JsonObject { ["containers"] = patch }, TestSchema.PodSpec);
        Assert.Equal(5_000, result!["containers"]!.AsArray().Count);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void AllApply_RandomPatches_OnlyPatchException()
    {
        var random = new Random(1234);
        for (var i = 0; i < 3_000; i++)
        {
            var document = Random(random, 4);
            var patch = Random(random, 4);
            Survives(() => StrategicMergePatch.Apply(Json.Parse(StrategicMergePatchKubectlTests.Deployment), patch!, TestSchema.Deployment));
            Survives(() => StrategicMergePatch.Apply(document, patch!, TestSchema.Deployment));
            Survives(() => JsonMergePatch.Apply(document, patch!));
            Survives(() => JsonPatch.Apply(document, RandomOperations(random)));
        }
    }

    private static void Survives(Func<JsonNode?> apply)
    {
        try
        {
            apply();
        }
        catch (PatchException)
        {
        }
    }

    private static readonly string[] Keys =
    [
        "$patch", "$retainKeys", "$setElementOrder/containers", "$setElementOrder/finalizers", "$deleteFromPrimitiveList/finalizers",
        "$setElementOrder", "$deleteFromPrimitiveList/", "metadata", "spec", "template", "containers", "finalizers", "name",
        "env", "ports", "containerPort", "volumes", "strategy", "replace", "delete", "merge", "a",
    ];

    private static JsonNode? Random(Random random, int depth)
    {
        switch (random.Next(depth <= 0 ? 5 : 8))
        {
            case 0: return null;
            case 1: return Keys[random.Next(Keys.Length)];
            case 2: return random.Next(-2, 100);
            case 3: return random.Next(2) == 0;
            case 4: return random.NextDouble();
            case 5:
            case 6:
                var obj = new JsonObject();
                for (var i = random.Next(4); i > 0; i--)
                    obj[Keys[random.Next(Keys.Length)]] = Random(random, depth - 1);
                return obj;
            default:
                var list = new JsonArray();
                for (var i = random.Next(4); i > 0; i--)
                    list.Add(Random(random, depth - 1));
                return list;
        }
    }

    private static readonly string[] Ops = ["add", "remove", "replace", "move", "copy", "test", "x"];

    private static readonly string[] Paths = ["", "/", "/a", "/a/0", "/a/-", "/a/b", "/0", "/-", "/a/~1", "/a/~", "a", "/a/01"];

    private static JsonNode RandomOperations(Random random)
    {
        var ops = new JsonArray();
        for (var i = random.Next(5); i > 0; i--)
        {
            var op = new JsonObject();
            if (random.Next(8) > 0) op["op"] = Ops[random.Next(Ops.Length)];
            if (random.Next(8) > 0) op["path"] = Paths[random.Next(Paths.Length)];
            if (random.Next(2) > 0) op["from"] = Paths[random.Next(Paths.Length)];
            if (random.Next(3) > 0) op["value"] = Random(random, 2);
            ops.Add(random.Next(20) == 0 ? Random(random, 1) : op);
        }
        return ops;
    }

    /// <summary>Objects along the first member of each object.</summary>
    private static int ChainDepth(JsonNode? node)
    {
        var depth = 0;
        while (node is JsonObject obj && obj.Count > 0)
        {
            depth++;
            node = obj.First().Value;
        }
        return node is JsonObject ? depth + 1 : depth;
    }
}
