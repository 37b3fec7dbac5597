using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.ApiServer.Tables;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Roles, ClusterRoles and their bindings, as upstream's <c>pkg/apis/rbac/validation</c> and the
/// rbac/v1 defaults. Names are path segments (<c>system:basic-user</c> is valid), a binding's
/// roleRef never changes (to re-point a binding, delete and re-create it, so nobody who may only
/// edit bindings can swap the role under its subjects).
/// </summary>
public sealed class RbacStrategy(ResourceType resource) : ResourceStrategy(resource)
{
    public const string Group = "rbac.authorization.k8s.io";

    private bool IsBinding => Resource.Kind is "RoleBinding" or "ClusterRoleBinding";

    public override bool TracksGeneration => false;

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        Default(obj);
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        Default(obj);
    }

    /// <summary>rbac/v1 defaults: the roleRef's group, and the group of User and Group subjects.</summary>
    private void Default(JsonObject obj)
    {
        if (!IsBinding)
        {
            return;
        }

        // Go's RoleRef is a struct, never absent: defaulting fills its group even when the client left it out.
        obj["roleRef"] ??= new JsonObject();
        if (obj["roleRef"] is JsonObject roleRef && JsonRead.Str(roleRef, "apiGroup").Length == 0)
        {
            roleRef["apiGroup"] = Group;
        }

        foreach (var subject in JsonRead.Objects(obj, "subjects"))
        {
            if (JsonRead.Str(subject, "apiGroup").Length == 0 && JsonRead.Str(subject, "kind") is "User" or "Group")
            {
                subject["apiGroup"] = Group;
            }
        }
    }

    /// <summary>upstream <c>ValidateRBACName</c> = <c>path.IsValidPathSegmentName</c>.</summary>
    protected override void ValidateName(string field, string name, List<FieldError> errors)
    {
        foreach (var message in PathSegmentProblems(name))
        {
            errors.Add(FieldError.InvalidValue(field, name, message));
        }
    }

    public override void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        base.Validate(obj, old, errors);
        switch (Resource.Kind)
        {
            case "Role":
                ValidateRules(obj, namespaced: true, errors);
                break;
            case "ClusterRole":
                ValidateRules(obj, namespaced: false, errors);
                ValidateAggregationRule(obj, errors);
                break;
            default:
                ValidateBinding(obj, errors);
                if (old is not null && !JsonNode.DeepEquals(RoleRefOf(obj), RoleRefOf(old)))
                {
                    var roleRef = obj["roleRef"];
                    errors.Add(new FieldError("roleRef", "FieldValueInvalid",
                        $"Invalid value: rbac.RoleRef{{APIGroup:\"{JsonRead.Str(roleRef, "apiGroup")}\", Kind:\"{JsonRead.Str(roleRef, "kind")}\", Name:\"{JsonRead.Str(roleRef, "name")}\"}}: cannot change roleRef"));
                }

                break;
        }
    }

    /// <summary>The three roleRef fields as a comparable value (missing and empty are the same).</summary>
    private static JsonObject RoleRefOf(JsonObject binding) => new()
    {
        ["apiGroup"] = JsonRead.Str(binding, "roleRef", "apiGroup"),
        ["kind"] = JsonRead.Str(binding, "roleRef", "kind"),
        ["name"] = JsonRead.Str(binding, "roleRef", "name"),
    };

    private static void ValidateRules(JsonObject obj, bool namespaced, List<FieldError> errors)
    {
        var index = 0;
        foreach (var rule in JsonRead.Objects(obj, "rules"))
        {
            var path = $"rules[{index++}]";
            if (JsonRead.Count(rule, "verbs") == 0)
            {
                errors.Add(FieldError.Required($"{path}.verbs", "verbs must contain at least one value"));
            }

            var urls = JsonRead.Strings(rule, "nonResourceURLs").ToList();
            if (urls.Count > 0)
            {
                if (namespaced)
                {
                    errors.Add(InvalidList($"{path}.nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs"));
                }

                if (JsonRead.Count(rule, "apiGroups") > 0 || JsonRead.Count(rule, "resources") > 0 || JsonRead.Count(rule, "resourceNames") > 0)
                {
                    errors.Add(InvalidList($"{path}.nonResourceURLs", urls, "rules cannot apply to both regular resources and non-resource URLs"));
                }

                continue;
            }

            if (JsonRead.Count(rule, "apiGroups") == 0)
            {
                errors.Add(FieldError.Required($"{path}.apiGroups", "resource rules must supply at least one api group"));
            }

            if (JsonRead.Count(rule, "resources") == 0)
            {
                errors.Add(FieldError.Required($"{path}.resources", "resource rules must supply at least one resource"));
            }
        }
    }

    private static void ValidateAggregationRule(JsonObject obj, List<FieldError> errors)
    {
        if (obj["aggregationRule"] is not JsonObject rule)
        {
            return;
        }

        if (JsonRead.Count(rule, "clusterRoleSelectors") == 0)
        {
            errors.Add(FieldError.Required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
            return;
        }

        var index = 0;
        foreach (var selector in JsonRead.Objects(rule, "clusterRoleSelectors"))
        {
            try
            {
                LabelSelector.FromObject(selector);
            }
            catch (SelectorException e)
            {
                errors.Add(FieldError.InvalidValue($"aggregationRule.clusterRoleSelectors[{index}]", null, e.Message));
            }

            index++;
        }
    }

    private void ValidateBinding(JsonObject obj, List<FieldError> errors)
    {
        var cluster = Resource.Kind == "ClusterRoleBinding";
        var roleRef = obj["roleRef"] as JsonObject;
        var group = JsonRead.Str(roleRef, "apiGroup");
        if (group != Group)
        {
            errors.Add(FieldError.NotSupported("roleRef.apiGroup", group, [Group]));
        }

        var kind = JsonRead.Str(roleRef, "kind");
        if (cluster ? kind != "ClusterRole" : kind is not ("Role" or "ClusterRole"))
        {
            errors.Add(FieldError.NotSupported("roleRef.kind", kind, cluster ? ["ClusterRole"] : ["Role", "ClusterRole"]));
        }

        var name = JsonRead.Str(roleRef, "name");
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("roleRef.name"));
        }
        else
        {
            ValidateName("roleRef.name", name, errors);
        }

        var index = 0;
        foreach (var subject in JsonRead.Objects(obj, "subjects"))
        {
            ValidateSubject(subject, namespaced: !cluster, $"subjects[{index++}]", errors);
        }
    }

    private static void ValidateSubject(JsonObject subject, bool namespaced, string path, List<FieldError> errors)
    {
        var name = JsonRead.Str(subject, "name");
        var group = JsonRead.Str(subject, "apiGroup");
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required($"{path}.name"));
        }

        switch (JsonRead.Str(subject, "kind"))
        {
            case "ServiceAccount":
                if (name.Length > 0)
                {
                    NameRules.Subdomain($"{path}.name", name, errors);
                }

                if (group.Length > 0)
                {
                    errors.Add(FieldError.NotSupported($"{path}.apiGroup", group, [""]));
                }

                // A RoleBinding's service account may leave the namespace out (it is the binding's).
                if (!namespaced && JsonRead.Str(subject, "namespace").Length == 0)
                {
                    errors.Add(FieldError.Required($"{path}.namespace"));
                }

                break;
            case "User" or "Group":
                if (group != Group)
                {
                    errors.Add(FieldError.NotSupported($"{path}.apiGroup", group, [Group]));
                }

                break;
            case var kind:
                errors.Add(FieldError.NotSupported($"{path}.kind", kind, ["ServiceAccount", "User", "Group"]));
                break;
        }
    }

    private static IEnumerable<string> PathSegmentProblems(string name)
    {
        if (name is "." or "..")
        {
            yield return $"may not be '{name}'";
            yield break;
        }

        if (name.Contains('/'))
        {
            yield return "may not contain '/'";
        }

        if (name.Contains('%'))
        {
            yield return "may not contain '%'";
        }
    }

    /// <summary>Go's <c>%#v</c> of a <c>[]string</c>, as <c>field.Invalid</c> prints it.</summary>
    private static FieldError InvalidList(string field, IEnumerable<string> values, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: []string{{{string.Join(", ", values.Select(v => $"\"{v}\""))}}}: {detail}");
}
