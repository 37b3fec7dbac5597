using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Desired;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Edge.Agent.Channel;

/// <summary>
/// Snapshots and deltas into <see cref="NodeDesiredState"/>s: pods by uid, ConfigMaps and Secrets
/// by <c>namespace/name</c>. A delta's removals are idempotent (removing what is not there is no
/// change), so a delta that overlaps what the agent already has applies cleanly.
/// </summary>
public static class DesiredStateMapping
{
    public static NodeDesiredState FromSnapshot(DesiredSnapshot snapshot) => new(
        snapshot.Revision,
        ByUid(snapshot.Pods, []),
        ByKey(snapshot.ConfigMaps, []),
        ByKey(snapshot.Secrets, []),
        snapshot.PodCidr.Length > 0 ? snapshot.PodCidr : null);

    public static NodeDesiredState Apply(NodeDesiredState current, DesiredDelta delta)
    {
        if (delta.Revision < current.Revision)
        {
            throw new NodeChannelException($"a delta for revision {delta.Revision} arrived after revision {current.Revision}");
        }

        var pods = new Dictionary<string, JsonObject>(current.Pods, StringComparer.Ordinal);
        foreach (var removed in delta.RemovedPods)
        {
            pods.Remove(removed.Uid);
        }

        var configMaps = new Dictionary<string, JsonObject>(current.ConfigMaps, StringComparer.Ordinal);
        foreach (var removed in delta.RemovedConfigMaps)
        {
            configMaps.Remove(ObjectJson.Key(removed.Namespace, removed.Name));
        }

        var secrets = new Dictionary<string, JsonObject>(current.Secrets, StringComparer.Ordinal);
        foreach (var removed in delta.RemovedSecrets)
        {
            secrets.Remove(ObjectJson.Key(removed.Namespace, removed.Name));
        }

        var podCidr = delta.HasPodCidr ? (delta.PodCidr.Length > 0 ? delta.PodCidr : null) : current.PodCidr;
        return new NodeDesiredState(
            delta.Revision,
            ByUid(delta.UpsertedPods, pods),
            ByKey(delta.UpsertedConfigMaps, configMaps),
            ByKey(delta.UpsertedSecrets, secrets),
            podCidr);
    }

    private static Dictionary<string, JsonObject> ByUid(RepeatedField<ByteString> objects, Dictionary<string, JsonObject> into)
    {
        foreach (var bytes in objects)
        {
            var obj = Decode(bytes);
            into[Metadata(obj, "uid") ?? throw new NodeChannelException("the server sent a pod without a uid")] = obj;
        }

        return into;
    }

    private static Dictionary<string, JsonObject> ByKey(RepeatedField<ByteString> objects, Dictionary<string, JsonObject> into)
    {
        foreach (var bytes in objects)
        {
            var obj = Decode(bytes);
            into[ObjectJson.Key(Metadata(obj, "namespace"), Metadata(obj, "name"))] = obj;
        }

        return into;
    }

    private static string? Metadata(JsonObject obj, string field) =>
        obj["metadata"]?[field] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonObject Decode(ByteString bytes)
    {
        try
        {
            return ObjectJson.Decode(bytes);
        }
        catch (JsonException e)
        {
            throw new NodeChannelException($"the server sent an object that is not valid JSON: {e.Message}", e);
        }
    }
}
