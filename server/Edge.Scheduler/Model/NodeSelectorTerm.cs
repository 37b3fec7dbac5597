using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Selectors;

namespace Edge.Scheduler.Model;

/// <summary>
/// One <c>nodeSelectorTerms</c> entry: its <c>matchExpressions</c> and <c>matchFields</c> are ANDed.
/// As upstream, a term with neither, or one that fails validation, matches no node.
/// </summary>
public sealed class NodeSelectorTerm
{
    readonly LabelRequirement[] _labels;
    readonly (bool In, string[] Values)[] _names;
    readonly bool _matchesNothing;

    NodeSelectorTerm(LabelRequirement[] labels, (bool, string[])[] names, bool matchesNothing)
    {
        _labels = labels;
        _names = names;
        _matchesNothing = matchesNothing;
    }

    public bool Matches(SchedulingNode node)
    {
        if (_matchesNothing)
            return false;
        foreach (var requirement in _labels)
        {
            if (!requirement.Matches(node.Labels))
                return false;
        }
        foreach (var (isIn, values) in _names)
        {
            if (Array.IndexOf(values, node.Name) >= 0 != isIn)
                return false;
        }
        return true;
    }

    public static NodeSelectorTerm FromObject(JsonObject term)
    {
        var labels = new List<LabelRequirement>();
        var names = new List<(bool, string[])>();
        var invalid = false;
        foreach (var expression in (term["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var op = ObjectFields.String(expression, "operator") switch
            {
                "In" => LabelOperator.In,
                "NotIn" => LabelOperator.NotIn,
                "Exists" => LabelOperator.Exists,
                "DoesNotExist" => LabelOperator.DoesNotExist,
                "Gt" => LabelOperator.GreaterThan,
                "Lt" => LabelOperator.LessThan,
                _ => (LabelOperator?)null,
            };
            try
            {
                if (op is null)
                    throw new SelectorException("unknown operator");
                labels.Add(LabelRequirement.Create(ObjectFields.String(expression, "key") ?? "", op.Value, Values(expression)));
            }
            catch (SelectorException)
            {
                invalid = true;
            }
        }
        foreach (var field in (term["matchFields"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var op = ObjectFields.String(field, "operator");
            if (ObjectFields.String(field, "key") != "metadata.name" || op is not ("In" or "NotIn"))
                invalid = true;
            else
                names.Add((op == "In", Values(field).ToArray()));
        }
        return new NodeSelectorTerm(labels.ToArray(), names.ToArray(), invalid || (labels.Count == 0 && names.Count == 0));
    }

    static List<string> Values(JsonObject expression) =>
        (expression["values"] as JsonArray ?? []).Select(v => v is JsonValue value && value.TryGetValue<string>(out var s) ? s : "").ToList();
}

/// <summary>A preferred scheduling term: a term and the weight (1–100) it adds when it matches.</summary>
public sealed record WeightedNodeSelectorTerm(int Weight, NodeSelectorTerm Term);
