using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Selectors;

namespace Edge.Scheduler.Model;

/// <summary>
/// A pod (anti-)affinity term: pods selected by <see cref="Selector"/> in the term's namespaces,
/// grouped by the value of <see cref="TopologyKey"/> on their nodes.
/// </summary>
public sealed class PodAffinityTerm
{
    public required SelectorMatcher Selector { get; init; }
    public required string TopologyKey { get; init; }
    /// <summary>The namespaces the term selects pods in; ignored when <see cref="AllNamespaces"/>.</summary>
    public required string[] Namespaces { get; init; }
    /// <summary>An empty <c>namespaceSelector</c> selects every namespace.</summary>
    public bool AllNamespaces { get; init; }
    /// <summary>Weight of a preferred term; 1 for required terms.</summary>
    public int Weight { get; init; } = 1;

    public bool Matches(SchedulingPod pod)
    {
        if (!AllNamespaces && Array.IndexOf(Namespaces, pod.Namespace) < 0)
            return false;
        return Selector.Matches(pod);
    }

    /// <summary>Parses a term of a pod in <paramref name="podNamespace"/>; an invalid selector selects nothing.</summary>
    public static PodAffinityTerm FromObject(JsonObject term, string podNamespace, int weight = 1)
    {
        LabelSelector selector;
        try
        {
            selector = LabelSelector.FromObject(term["labelSelector"] as JsonObject);
        }
        catch (SelectorException)
        {
            selector = LabelSelector.Nothing;
        }
        var namespaces = (term["namespaces"] as JsonArray ?? []).Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToArray();
        var namespaceSelector = term["namespaceSelector"] as JsonObject;
        var allNamespaces = namespaceSelector is not null && LabelSelectorIsEmpty(namespaceSelector);
        // Upstream: no namespaces and no namespaceSelector means the pod's own namespace.
        if (namespaces.Length == 0 && namespaceSelector is null)
            namespaces = [podNamespace];
        return new PodAffinityTerm
        {
            Selector = new SelectorMatcher(selector),
            TopologyKey = ObjectFields.String(term, "topologyKey") ?? "",
            Namespaces = namespaces,
            AllNamespaces = allNamespaces,
            Weight = weight,
        };
    }

    static bool LabelSelectorIsEmpty(JsonObject selector) =>
        (selector["matchLabels"] as JsonObject)?.Count is null or 0 && (selector["matchExpressions"] as JsonArray)?.Count is null or 0;
}
