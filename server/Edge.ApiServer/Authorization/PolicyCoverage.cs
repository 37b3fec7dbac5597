namespace Edge.ApiServer.Authorization;

/// <summary>
/// Whether one set of rules covers another, as upstream's <c>Covers</c>
/// (pkg/apis/rbac/validation/policy_comparator.go): each rule to grant is broken down into atoms of
/// one group, resource, verb and resource name (or one URL and verb), and every atom must be within
/// a single owned rule. What is left over is what the granter lacks.
/// </summary>
public static class PolicyCoverage
{
    public static IReadOnlyList<PolicyRule> Uncovered(IReadOnlyList<PolicyRule> owner, IEnumerable<PolicyRule> granted) =>
        granted.SelectMany(Breakdown).Where(atom => !owner.Any(rule => Covers(rule, atom))).ToList();

    public static IEnumerable<PolicyRule> Breakdown(PolicyRule rule)
    {
        foreach (var group in rule.ApiGroups)
        {
            foreach (var resource in rule.Resources)
            {
                foreach (var verb in rule.Verbs)
                {
                    if (rule.ResourceNames.Count > 0)
                    {
                        foreach (var name in rule.ResourceNames)
                        {
                            yield return PolicyRule.Resource([verb], [group], [resource], [name]);
                        }
                    }
                    else
                    {
                        yield return PolicyRule.Resource([verb], [group], [resource]);
                    }
                }
            }
        }

        foreach (var url in rule.NonResourceUrls)
        {
            foreach (var verb in rule.Verbs)
            {
                yield return PolicyRule.Urls([verb], [url]);
            }
        }
    }

    /// <summary>upstream <c>ruleCovers</c>: the owner rule holds the whole atom.</summary>
    public static bool Covers(PolicyRule owner, PolicyRule atom)
    {
        var verbs = owner.Verbs.Contains(PolicyRule.All) || atom.Verbs.All(owner.Verbs.Contains);
        var groups = owner.ApiGroups.Contains(PolicyRule.All) || atom.ApiGroups.All(owner.ApiGroups.Contains);
        var resources = ResourcesCover(owner.Resources, atom.Resources);
        var urls = atom.NonResourceUrls.All(path => owner.NonResourceUrls.Any(o =>
            o == path || (o.EndsWith('*') && path.StartsWith(o.TrimEnd('*'), StringComparison.Ordinal))));
        var names = atom.ResourceNames.Count == 0
            ? owner.ResourceNames.Count == 0
            : owner.ResourceNames.Count == 0 || atom.ResourceNames.All(owner.ResourceNames.Contains);
        return verbs && groups && resources && names && urls;
    }

    private static bool ResourcesCover(IReadOnlyList<string> owner, IReadOnlyList<string> wanted)
    {
        if (owner.Contains(PolicyRule.All) || wanted.All(owner.Contains))
        {
            return true;
        }

        foreach (var path in wanted)
        {
            if (owner.Contains(path))
            {
                continue;
            }

            var slash = path.IndexOf('/');
            if (slash < 0 || !owner.Contains("*/" + path[(slash + 1)..]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// upstream <c>CompactRules</c>: atoms of one group, one resource and at most one name merge
    /// their verbs, so the message lists <c>{…Verbs:["get" "list"]}</c> once per resource.
    /// </summary>
    public static IReadOnlyList<PolicyRule> Compact(IReadOnlyList<PolicyRule> rules)
    {
        var compacted = new List<PolicyRule>();
        var simple = new Dictionary<(string Group, string Resource, string? Name), List<string>>();
        var order = new List<(string, string, string?)>();
        foreach (var rule in rules)
        {
            if (rule.Verbs.Count > 0 && rule.ApiGroups.Count == 1 && rule.Resources.Count == 1 && rule.ResourceNames.Count <= 1 && rule.NonResourceUrls.Count == 0)
            {
                var key = (rule.ApiGroups[0], rule.Resources[0], rule.ResourceNames.Count == 1 ? rule.ResourceNames[0] : null);
                if (!simple.TryGetValue(key, out var verbs))
                {
                    simple[key] = verbs = [];
                    order.Add(key);
                }

                verbs.AddRange(rule.Verbs);
            }
            else
            {
                compacted.Add(rule);
            }
        }

        compacted.AddRange(order.Select(k => PolicyRule.Resource(simple[k], [k.Item1], [k.Item2], k.Item3 is null ? [] : [k.Item3])));
        return compacted;
    }
}
