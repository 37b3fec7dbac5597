using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.StaticPods;

namespace Edge.Agent.Tests.StaticPods;

/// <summary>A manifest dir with one static pod, and API pods as the channel would deliver them.</summary>
internal sealed class StaticPodFixture : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-static-").FullName;

    public StaticPodFixture()
    {
        File.WriteAllText(Path.Combine(_dir, "web.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n");
        Source = new StaticPodSource(_dir, "n1", Log, TimeProvider.System);
        Source.Rescan();
    }

    public TestLog Log { get; } = new();

    public StaticPodSource Source { get; }

    public StaticPod Web => Source.Current.Values.Single();

    public static JsonObject ApiPod(string name, string uid, string? mirrorOf = null, bool deleting = false)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = uid };
        if (mirrorOf is not null)
        {
            metadata["annotations"] = new JsonObject { [StaticPodAnnotations.Mirror] = mirrorOf };
        }

        if (deleting)
        {
            metadata["deletionTimestamp"] = "2026-01-02T03:04:05Z";
        }

        return new JsonObject { ["metadata"] = metadata, ["spec"] = new JsonObject { ["containers"] = new JsonArray() } };
    }

    public static NodeDesiredState State(long revision, params JsonObject[] pods) =>
        NodeDesiredState.Empty with { Revision = revision, Pods = pods.ToDictionary(p => (string)p["metadata"]!["uid"]!, p => p) };

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
