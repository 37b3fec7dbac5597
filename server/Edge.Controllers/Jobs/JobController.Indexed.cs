using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Controllers.Common;

namespace Edge.Controllers.Jobs;

/// <summary>
/// The Indexed completion mode: each of the completions indexes 0…n−1 needs one succeeded pod;
/// a pod learns its index from an annotation, a label and <c>JOB_COMPLETION_INDEX</c>, and
/// gets the hostname <c>&lt;job&gt;-&lt;index&gt;</c>.
/// </summary>
public sealed partial class JobController
{
    public const string CompletionIndexAnnotation = "batch.kubernetes.io/job-completion-index";

    private static bool IsIndexed(JsonObject job) => ObjectFields.String(job["spec"], "completionMode") == "Indexed";

    private static int? IndexOf(JsonObject pod) =>
        int.TryParse(ObjectFields.String(pod["metadata"]?["annotations"], CompletionIndexAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    private static HashSet<int> SucceededIndexes(List<JsonObject> pods, int completions) =>
        pods.Where(p => PodState.Phase(p) == "Succeeded").Select(IndexOf).OfType<int>().Where(i => i < completions).ToHashSet();

    /// <summary>Active pods with no valid index, of an index that has succeeded, or a second of one index.</summary>
    private static List<JsonObject> RedundantIndexed(List<JsonObject> active, HashSet<int> succeeded, int completions)
    {
        var seen = new HashSet<int>();
        return active.OrderBy(p => ObjectFields.String(p["metadata"], "creationTimestamp"), StringComparer.Ordinal)
            .Where(p => IndexOf(p) is not { } i || i >= completions || succeeded.Contains(i) || !seen.Add(i)).ToList();
    }

    /// <summary>Indexes with neither a success nor a running pod, lowest first.</summary>
    private static IEnumerable<int> PendingIndexes(int completions, HashSet<int> succeeded, List<JsonObject> running)
    {
        var taken = running.Select(IndexOf).OfType<int>().ToHashSet();
        return Enumerable.Range(0, completions).Where(i => !succeeded.Contains(i) && !taken.Contains(i));
    }

    /// <summary>status.completedIndexes: sorted ranges, as "1,3-5,7".</summary>
    private static string CompressIndexes(HashSet<int> indexes)
    {
        var text = new StringBuilder();
        var sorted = indexes.Order().ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            var start = sorted[i];
            while (i + 1 < sorted.Count && sorted[i + 1] == sorted[i] + 1)
            {
                i++;
            }

            text.Append(text.Length > 0 ? "," : "").Append(start.ToString(CultureInfo.InvariantCulture));
            if (sorted[i] != start)
            {
                text.Append('-').Append(sorted[i].ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static void AddIndex(JsonObject job, JsonObject metadata, JsonObject podSpec, int index)
    {
        var value = index.ToString(CultureInfo.InvariantCulture);
        metadata["generateName"] = $"{job.Name()}-{value}-";
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[CompletionIndexAnnotation] = value;
        metadata["annotations"] = annotations;
        ((JsonObject)metadata["labels"]!)[CompletionIndexAnnotation] = value;
        podSpec["hostname"] ??= $"{job.Name()}-{value}";
        foreach (var container in new[] { "containers", "initContainers" }.SelectMany(f => podSpec[f] as JsonArray ?? []).OfType<JsonObject>())
        {
            var env = container["env"] as JsonArray ?? [];
            env.Add((JsonNode)new JsonObject
            {
                ["name"] = "JOB_COMPLETION_INDEX",
                ["valueFrom"] = new JsonObject
                {
                    ["fieldRef"] = new JsonObject { ["fieldPath"] = $"metadata.annotations['{CompletionIndexAnnotation}']" },
                },
            });
            container["env"] = env;
        }
    }
}
