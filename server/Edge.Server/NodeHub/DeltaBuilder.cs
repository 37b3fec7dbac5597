using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;

namespace Edge.Server.NodeHub;

/// <summary>Upserts and removals of one kind of object, the last change per key winning.</summary>
public sealed class ObjectChanges
{
    private readonly Dictionary<string, (JsonObject Object, bool Removed)> _changes = new(StringComparer.Ordinal);

    public int Count => _changes.Count;

    public void Upsert(string key, JsonObject obj) => _changes[key] = (obj, false);

    /// <param name="last">The object's last state, which names what the agent should drop.</param>
    public void Remove(string key, JsonObject last) => _changes[key] = (last, true);

    public void WriteTo(Google.Protobuf.Collections.RepeatedField<Google.Protobuf.ByteString> upserts, Google.Protobuf.Collections.RepeatedField<ObjectRef> removals)
    {
        foreach (var (obj, removed) in _changes.Values)
        {
            if (removed)
            {
                removals.Add(new ObjectRef { Namespace = obj.Namespace() ?? "", Name = obj.Name() ?? "", Uid = obj.Uid() ?? "" });
            }
            else
            {
                upserts.Add(ObjectJson.Encode(obj));
            }
        }
    }

    public void Clear() => _changes.Clear();
}

/// <summary>The changes of a node's desired state collected over some store events, coalesced into one delta.</summary>
public sealed class DeltaBuilder
{
    /// <summary>Keyed by uid.</summary>
    public ObjectChanges Pods { get; } = new();

    /// <summary>Keyed by <c>namespace/name</c>.</summary>
    public ObjectChanges ConfigMaps { get; } = new();

    public ObjectChanges Secrets { get; } = new();

    /// <summary>Set when the pod CIDR changed.</summary>
    public string? PodCidr { get; set; }

    public bool IsEmpty => Pods.Count == 0 && ConfigMaps.Count == 0 && Secrets.Count == 0 && PodCidr is null;

    public DesiredDelta Build(long revision)
    {
        var delta = new DesiredDelta { Revision = revision };
        Pods.WriteTo(delta.UpsertedPods, delta.RemovedPods);
        ConfigMaps.WriteTo(delta.UpsertedConfigMaps, delta.RemovedConfigMaps);
        Secrets.WriteTo(delta.UpsertedSecrets, delta.RemovedSecrets);
        if (PodCidr is not null)
        {
            delta.PodCidr = PodCidr;
        }

        return delta;
    }

    public void Clear()
    {
        Pods.Clear();
        ConfigMaps.Clear();
        Secrets.Clear();
        PodCidr = null;
    }
}
