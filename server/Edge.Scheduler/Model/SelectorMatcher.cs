using Edge.Api.Selectors;

namespace Edge.Scheduler.Model;

/// <summary>
/// A label selector with a cheap first test: most selectors pin one label to one value
/// (<c>app=web</c>), and a dictionary lookup rejects most pods before the full match against
/// the JSON labels.
/// </summary>
public sealed class SelectorMatcher
{
    readonly string? _key;
    readonly string? _value;

    public SelectorMatcher(LabelSelector selector)
    {
        Selector = selector;
        foreach (var requirement in selector.Requirements)
        {
            if (requirement.Operator is LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.In && requirement.Values.Count == 1)
            {
                (_key, _value) = (requirement.Key, requirement.Values[0]);
                break;
            }
        }
    }

    public LabelSelector Selector { get; }

    /// <summary>A label every selected pod carries, when the selector pins one; lets callers look pods up by it.</summary>
    public (string Key, string Value)? PinnedLabel => _key is null ? null : (_key, _value!);

    public bool Matches(SchedulingPod pod)
    {
        if (_key is not null && (!pod.TryGetLabel(_key, out var value) || value != _value))
            return false;
        return Selector.Matches(pod.Labels);
    }

    public override string ToString() => Selector.MatchesNothing ? "\u0002" : Selector.ToString();
}
