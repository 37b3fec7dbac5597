using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;

namespace Edge.Controllers.StatefulSets;

/// <summary>The stable identity of a StatefulSet's pods (upstream <c>stateful_set_utils.go</c>).</summary>
public static class StatefulPods
{
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    /// <summary>Holds the name of the ControllerRevision a pod was made from (not the bare hash).</summary>
    public const string RevisionLabel = "controller-revision-hash";

    public static string Name(string set, int ordinal) => $"{set}-{ordinal.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The ordinal of a pod named <c>&lt;set&gt;-&lt;n&gt;</c>, or null when the name is not one of the set's.</summary>
    public static int? Ordinal(string set, string? podName)
    {
        if (podName is null || podName.Length <= set.Length + 1 || !podName.StartsWith(set, StringComparison.Ordinal) || podName[set.Length] != '-')
        {
            return null;
        }

        var digits = podName.AsSpan(set.Length + 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return null;
            }
        }

        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    public static string? Revision(JsonObject pod) => ObjectFields.String(pod.Labels(), RevisionLabel);

    /// <summary>Running and Ready, and not on its way out (upstream <c>isHealthy</c>).</summary>
    public static bool IsHealthy(JsonObject pod) =>
        PodState.Phase(pod) == "Running" && PodState.IsReady(pod) && pod.DeletionTimestamp() is null;

    /// <summary>Running and Ready for minReadySeconds, what OrderedReady waits for before the next ordinal.</summary>
    public static bool IsAvailable(JsonObject pod, long minReadySeconds, DateTimeOffset now) =>
        IsHealthy(pod) && PodState.IsAvailable(pod, minReadySeconds, now);

    /// <summary>
    /// The pod of <paramref name="ordinal"/> from <paramref name="template"/> (the template of the
    /// revision it is made at): the set's name and ordinal as name and hostname, the governing
    /// service as subdomain, and labels that name the pod, its index and its revision.
    /// </summary>
    public static JsonObject New(JsonObject set, JsonObject template, int ordinal, string revision)
    {
        var name = Name(set.Name()!, ordinal);
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata.Remove("generateName");
        metadata["name"] = name;
        metadata["namespace"] = set.Namespace();
        var labels = metadata["labels"] as JsonObject ?? [];
        labels[PodNameLabel] = name;
        labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        labels[RevisionLabel] = revision;
        metadata["labels"] = labels;
        metadata["ownerReferences"] = new JsonArray(Owners.ControllerReference(set, KnownResources.StatefulSets));
        var spec = template["spec"]?.DeepClone() as JsonObject ?? [];
        spec["hostname"] = name;
        if (ObjectFields.String(set["spec"], "serviceName") is { Length: > 0 } service)
        {
            spec["subdomain"] = service;
        }

        // volumeClaimTemplates are not acted on: Edge has no PersistentVolumeClaim resource yet, so
        // there is no claim to create per ordinal nor a volume to add to the pod for it.
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }
}
