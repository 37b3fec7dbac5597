using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Defaults and validation of a pod spec, shared by pods and every pod template
/// (upstream <c>pkg/apis/core/v1/defaults.go</c> and <c>validation.ValidatePodSpec</c>, the parts users meet).
/// </summary>
public static partial class PodSpecRules
{
    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];

    public static void Default(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["securityContext"] ??= new JsonObject();
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (spec[list] is JsonArray containers)
            {
                foreach (var container in containers.OfType<JsonObject>())
                {
                    DefaultContainer(container);
                }
            }
        }
    }

    public static void Validate(string path, JsonNode? specNode, List<FieldError> errors)
    {
        if (specNode is not JsonObject spec)
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        if (spec["containers"] is not JsonArray { Count: > 0 } containers)
        {
            errors.Add(FieldError.Required($"{path}.containers"));
        }
        else
        {
            ValidateContainers($"{path}.containers", containers, errors);
        }

        if (spec["initContainers"] is JsonArray init)
        {
            ValidateContainers($"{path}.initContainers", init, errors);
        }

        if (ObjectFields.String(spec, "restartPolicy") is { } policy && !RestartPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported($"{path}.restartPolicy", policy, RestartPolicies));
        }

        if (spec["nodeSelector"] is { } selector)
        {
            NameRules.Labels($"{path}.nodeSelector", selector, errors);
        }
    }

    private static void DefaultContainer(JsonObject container)
    {
        container["terminationMessagePath"] ??= "/dev/termination-log";
        container["terminationMessagePolicy"] ??= "File";
        if (container["imagePullPolicy"] is null)
        {
            // Upstream: Always for ":latest" or no tag, IfNotPresent otherwise (a digest counts as a tag).
            var image = ObjectFields.String(container, "image") ?? "";
            var name = image.Contains('@') ? "" : image[(image.LastIndexOf('/') + 1)..];
            var tag = name.Contains(':') ? name[(name.IndexOf(':') + 1)..] : image.Contains('@') ? "digest" : "latest";
            container["imagePullPolicy"] = tag == "latest" ? "Always" : "IfNotPresent";
        }

        container["resources"] ??= new JsonObject();
        if (container["ports"] is JsonArray ports)
        {
            foreach (var port in ports.OfType<JsonObject>())
            {
                port["protocol"] ??= "TCP";
            }
        }
    }

    /// <summary>Requests and limits must be quantities (upstream's regex) and a request may not exceed its limit.</summary>
    private static void ValidateResources(string path, JsonNode? resources, List<FieldError> errors)
    {
        foreach (var kind in new[] { "limits", "requests" })
        {
            if (resources?[kind] is not JsonObject values)
            {
                continue;
            }

            foreach (var (name, value) in values)
            {
                var text = value is JsonValue v ? v.GetValueKind() switch
                {
                    JsonValueKind.String => v.GetValue<string>(),
                    JsonValueKind.Number => v.ToJsonString(),
                    _ => null,
                } : null;
                if (text is null || !QuantityPattern().IsMatch(text))
                {
                    errors.Add(FieldError.InvalidValue($"{path}.{kind}[{name}]", text ?? value?.ToJsonString(),
                        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
                }
            }
        }
    }

    private static void ValidateContainers(string path, JsonArray containers, List<FieldError> errors)
    {
        var names = new HashSet<string>();
        for (var i = 0; i < containers.Count; i++)
        {
            var at = $"{path}[{i}]";
            if (containers[i] is not JsonObject container)
            {
                errors.Add(FieldError.InvalidValue(at, null, "must be an object"));
                continue;
            }

            var name = ObjectFields.String(container, "name");
            if (string.IsNullOrEmpty(name))
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else
            {
                NameRules.Label($"{at}.name", name, errors);
                if (!names.Add(name))
                {
                    errors.Add(FieldError.Duplicate($"{at}.name", name));
                }
            }

            if (string.IsNullOrWhiteSpace(ObjectFields.String(container, "image")))
            {
                errors.Add(FieldError.Required($"{at}.image"));
            }

            if (ObjectFields.String(container, "imagePullPolicy") is { } pull && !PullPolicies.Contains(pull))
            {
                errors.Add(FieldError.NotSupported($"{at}.imagePullPolicy", pull, PullPolicies));
            }

            if (container["ports"] is JsonArray ports)
            {
                for (var p = 0; p < ports.Count; p++)
                {
                    var port = ports[p] as JsonObject;
                    var number = ObjectFields.Long(port, "containerPort");
                    if (number is null or < 1 or > 65535)
                    {
                        errors.Add(FieldError.InvalidValue($"{at}.ports[{p}].containerPort", number ?? 0, "must be between 1 and 65535, inclusive"));
                    }

                    if (ObjectFields.String(port, "protocol") is { } protocol && !Protocols.Contains(protocol))
                    {
                        errors.Add(FieldError.NotSupported($"{at}.ports[{p}].protocol", protocol, Protocols));
                    }
                }
            }

            ValidateResources($"{at}.resources", container["resources"], errors);
            if (container["env"] is JsonArray env)
            {
                for (var e = 0; e < env.Count; e++)
                {
                    if (env[e] is not JsonObject variable || variable["name"] is not JsonValue v || v.GetValueKind() != JsonValueKind.String ||
                        v.GetValue<string>().Length == 0)
                    {
                        errors.Add(FieldError.Required($"{at}.env[{e}].name"));
                    }
                }
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")]
    private static partial System.Text.RegularExpressions.Regex QuantityPattern();
}
