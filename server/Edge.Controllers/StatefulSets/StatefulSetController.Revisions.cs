using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Controllers.Common;

namespace Edge.Controllers.StatefulSets;

/// <summary>
/// The set's history as ControllerRevisions (upstream <c>history.go</c>): one per template, named
/// <c>&lt;set&gt;-&lt;hash&gt;</c>, holding the patch that restores the template, numbered in the
/// order the templates were last used; what <c>kubectl rollout history/undo</c> reads.
/// </summary>
public sealed partial class StatefulSetController
{
    private const string RevisionHashLabel = "controller-revision-hash";

    /// <summary>The revision pods are kept at below the partition, the one they move to, and the collision count that named it.</summary>
    private sealed record RevisionPair(JsonObject Current, JsonObject Update, long CollisionCount)
    {
        public string CurrentName => Current.Name()!;

        public string UpdateName => Update.Name()!;
    }

    private async Task<RevisionPair> SyncRevisionsAsync(JsonObject set, CancellationToken cancellationToken)
    {
        var data = RevisionData(set);
        var text = CanonicalText(data);
        var collisionCount = ObjectFields.Long(set["status"], "collisionCount") ?? 0;
        var owned = Owned(set, _revisions.List(set.Namespace()));
        var update = await FindOrRenumberAsync(owned, text, cancellationToken);
        if (update is null)
        {
            // The cache may lag the store: a revision made a moment ago must not be made twice.
            owned = Owned(set, (await _client.ListAsync(ControllerRevisions, set.Namespace(), cancellationToken)).Items);
            update = await FindOrRenumberAsync(owned, text, cancellationToken);
        }

        if (update is null)
        {
            (update, collisionCount) = await CreateRevisionAsync(set, data, text, NextNumber(owned), collisionCount, cancellationToken);
            owned.Add(update);
        }

        var currentName = ObjectFields.String(set["status"], "currentRevision");
        var current = owned.FirstOrDefault(r => r.Name() == currentName) ?? update;
        return new RevisionPair(current, update, collisionCount);
    }

    private static List<JsonObject> Owned(JsonObject set, IEnumerable<JsonObject> revisions) =>
        revisions.Where(r => Owners.IsControlledBy(r, set)).OrderBy(Number).ToList();

    private static long Number(JsonObject revision) => ObjectFields.Long(revision, "revision") ?? 0;

    private static long NextNumber(List<JsonObject> owned) => owned.Count == 0 ? 1 : owned.Max(Number) + 1;

    /// <summary>
    /// The revision equal to the template: the newest as it is, or an older one (a rollback)
    /// renumbered to become the newest. Null when there is none.
    /// </summary>
    private async Task<JsonObject?> FindOrRenumberAsync(List<JsonObject> owned, string text, CancellationToken cancellationToken)
    {
        var equal = owned.LastOrDefault(r => CanonicalText(r["data"]) == text);
        if (equal is null || ReferenceEquals(equal, owned[^1]))
        {
            return equal;
        }

        var patch = new JsonObject { ["revision"] = NextNumber(owned) };
        var renumbered = await _client.MergePatchAsync(ControllerRevisions, equal.Namespace(), equal.Name()!, patch, null, cancellationToken);
        owned[owned.IndexOf(equal)] = renumbered;
        return renumbered;
    }

    /// <summary>Creates the revision; a namesake with other data is a hash collision, which the next collision count avoids.</summary>
    private async Task<(JsonObject Revision, long CollisionCount)> CreateRevisionAsync(
        JsonObject set, JsonObject data, string text, long number, long collisionCount, CancellationToken cancellationToken)
    {
        while (true)
        {
            var hash = RevisionHash(text, collisionCount);
            var labels = set["spec"]?["template"]?["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
            labels[RevisionHashLabel] = hash;
            var revision = new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ControllerRevision",
                ["metadata"] = new JsonObject
                {
                    ["name"] = RevisionName(set.Name()!, hash),
                    ["namespace"] = set.Namespace(),
                    ["labels"] = labels,
                    ["ownerReferences"] = new JsonArray(Owners.ControllerReference(set, StatefulSets)),
                },
                ["data"] = data.DeepClone(),
                ["revision"] = number,
            };
            try
            {
                return (await _client.CreateAsync(ControllerRevisions, set.Namespace(), revision, cancellationToken), collisionCount);
            }
            catch (ApiException e) when (e.Status.Code == 409)
            {
                var existing = await _client.GetAsync(ControllerRevisions, set.Namespace(), revision.Name()!, cancellationToken);
                if (Owners.IsControlledBy(existing, set) && CanonicalText(existing["data"]) == text)
                {
                    return (existing, collisionCount);
                }

                collisionCount++;
            }
        }
    }

    /// <summary>What upstream stores: a patch that replaces the template (<c>{"spec":{"template":{…,"$patch":"replace"}}}</c>).</summary>
    private static JsonObject RevisionData(JsonObject set)
    {
        var template = set["spec"]?["template"]?.DeepClone() as JsonObject ?? [];
        template["$patch"] = "replace";
        return new JsonObject { ["spec"] = new JsonObject { ["template"] = template } };
    }

    /// <summary>The pod template a revision restores.</summary>
    private static JsonObject TemplateOf(JsonObject revision)
    {
        var template = revision["data"]?["spec"]?["template"]?.DeepClone() as JsonObject ?? [];
        template.Remove("$patch");
        return template;
    }

    /// <summary>Keys sorted at every level, as Go marshals a map: equal templates give equal text whatever order they were written in.</summary>
    private static string CanonicalText(JsonNode? node) => Canonical(node)?.ToJsonString() ?? "";

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>Upstream <c>HashControllerRevision</c>: FNV-1 (32 bit) of the data and the collision count, in the safe alphabet.</summary>
    private static string RevisionHash(string data, long collisionCount)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(data + collisionCount.ToString(CultureInfo.InvariantCulture)))
        {
            hash = (hash * 16777619u) ^ b;
        }

        return NameSuffix.Encode(hash);
    }

    /// <summary>Upstream <c>ControllerRevisionName</c>: the prefix is cut so that the name stays a valid object name.</summary>
    private static string RevisionName(string set, string hash) => $"{(set.Length > 223 ? set[..223] : set)}-{hash}";

    /// <summary>
    /// Deletes the oldest revisions beyond revisionHistoryLimit (default 10); the current and
    /// update revisions and any a pod still runs are never deleted.
    /// </summary>
    private async Task TruncateHistoryAsync(JsonObject set, RevisionPair revisions, IDictionary<int, JsonObject> pods, CancellationToken cancellationToken)
    {
        var limit = ObjectFields.Long(set["spec"], "revisionHistoryLimit") ?? 10;
        var live = pods.Values.Select(StatefulPods.Revision).OfType<string>().ToHashSet(StringComparer.Ordinal);
        live.Add(revisions.CurrentName);
        live.Add(revisions.UpdateName);
        var history = Owned(set, _revisions.List(set.Namespace())).Where(r => !live.Contains(r.Name()!)).ToList();
        foreach (var old in history.Take(history.Count - (int)Math.Max(limit, 0)))
        {
            try
            {
                await _client.DeleteAsync(ControllerRevisions, old.Namespace(), old.Name()!, new DeleteRequest { PreconditionUid = old.Uid() }, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code is 404 or 409)
            {
                // Gone already.
            }
        }
    }
}
