using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.NodeChannel;

namespace Edge.Server.NodeHub;

/// <summary>
/// The ConfigMaps (or Secrets) a node's pods reference, counted per pod, with the objects that
/// exist. An object enters when the first pod names it (read at that revision) and leaves when the
/// last one stops naming it; in between, its own changes are followed.
/// </summary>
internal sealed class ReferencedObjects(ResourceType resource)
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, JsonObject> Objects => _objects;

    /// <summary>A pod's references changed from <paramref name="before"/> to <paramref name="after"/> (keys <c>namespace/name</c>).</summary>
    public async Task ReferenceAsync(
        HashSet<string> after, HashSet<string> before, ObjectAtRevision fetch, long revision, ObjectChanges changes, CancellationToken cancellationToken)
    {
        foreach (var key in after.Except(before))
        {
            var count = _counts.GetValueOrDefault(key);
            _counts[key] = count + 1;
            if (count == 0)
            {
                var slash = key.IndexOf('/');
                if (await fetch(resource, key[..slash], key[(slash + 1)..], revision, cancellationToken) is { } obj)
                {
                    _objects[key] = obj;
                    changes.Upsert(key, obj);
                }
            }
        }

        foreach (var key in before.Except(after))
        {
            if (--_counts[key] > 0)
            {
                continue;
            }

            _counts.Remove(key);
            if (_objects.Remove(key, out var gone))
            {
                changes.Remove(key, gone);
            }
        }
    }

    /// <summary>The object changed (<paramref name="current"/> null: deleted); followed only while referenced.</summary>
    public void Apply(JsonObject? any, JsonObject? current, ObjectChanges changes)
    {
        if (any is null)
        {
            return;
        }

        var key = ObjectJson.Key(any.Namespace(), any.Name());
        if (!_counts.ContainsKey(key))
        {
            return;
        }

        if (current is not null)
        {
            _objects[key] = current;
            changes.Upsert(key, current);
        }
        else if (_objects.Remove(key, out var gone))
        {
            changes.Remove(key, gone);
        }
    }
}
