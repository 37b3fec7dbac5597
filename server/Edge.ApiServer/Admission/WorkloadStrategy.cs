using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Deployments, ReplicaSets, DaemonSets, StatefulSets and Jobs: the upstream defaults of their
/// specs and templates, a selector that must match the template's labels, and a selector that
/// cannot change once set (apps/v1).
/// </summary>
public sealed class WorkloadStrategy(ResourceType resource) : ResourceStrategy(resource)
{
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

    public override void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        base.Validate(obj, old, errors);
        if (obj["spec"] is not JsonObject spec)
        {
            errors.Add(FieldError.Required("spec"));
            return;
        }

        var template = spec["template"] as JsonObject;
        if (template is null)
        {
            errors.Add(FieldError.Required("spec.template"));
            return;
        }

        PodSpecRules.Validate("spec.template.spec", template["spec"], errors);
        NameRules.Labels("spec.template.metadata.labels", template["metadata"]?["labels"], errors);
        if (ObjectFields.Long(spec, "replicas") is < 0)
        {
            errors.Add(FieldError.InvalidValue("spec.replicas", ObjectFields.Long(spec, "replicas"), "must be greater than or equal to 0"));
        }

        if (Resource.Kind == "Job" && ObjectFields.String(template["spec"], "restartPolicy") is not ("Never" or "OnFailure"))
        {
            errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", ObjectFields.String(template["spec"], "restartPolicy"), ["OnFailure", "Never"]));
        }

        if (spec["selector"] is not JsonObject selector)
        {
            errors.Add(FieldError.Required("spec.selector"));
            return;
        }

        LabelSelector parsed;
        try
        {
            parsed = LabelSelector.FromObject(selector);
        }
        catch (SelectorException e)
        {
            errors.Add(FieldError.InvalidValue("spec.selector", null, e.Message));
            return;
        }

        if (parsed.IsEmpty)
        {
            errors.Add(FieldError.InvalidValue("spec.selector", null, "empty selector is invalid for deployment"));
        }
        else if (!parsed.Matches(template["metadata"]?["labels"] as JsonObject))
        {
            errors.Add(FieldError.InvalidValue("spec.template.metadata.labels", template["metadata"]?["labels"]?.ToJsonString(),
                "`selector` does not match template `labels`"));
        }

        if (old is not null && Resource.Group == "apps" && !JsonNode.DeepEquals(selector, old["spec"]?["selector"]))
        {
            errors.Add(FieldError.Immutable("spec.selector"));
        }
    }

    private void Default(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            return;
        }

        if ((spec["template"] as JsonObject)?["spec"] is JsonObject podSpec)
        {
            PodSpecRules.Default(podSpec);
        }

        switch (Resource.Kind)
        {
            case "Deployment":
                spec["replicas"] ??= 1;
                spec["revisionHistoryLimit"] ??= 10;
                spec["progressDeadlineSeconds"] ??= 600;
                spec["strategy"] ??= new JsonObject { ["type"] = "RollingUpdate" };
                if (spec["strategy"] is JsonObject strategy && ObjectFields.String(strategy, "type") == "RollingUpdate")
                {
                    var rolling = strategy["rollingUpdate"] as JsonObject ?? new JsonObject();
                    rolling["maxUnavailable"] ??= "25%";
                    rolling["maxSurge"] ??= "25%";
                    strategy["rollingUpdate"] = rolling;
                }

                break;
            case "ReplicaSet":
                spec["replicas"] ??= 1;
                break;
            case "StatefulSet":
                spec["replicas"] ??= 1;
                spec["podManagementPolicy"] ??= "OrderedReady";
                spec["revisionHistoryLimit"] ??= 10;
                spec["updateStrategy"] ??= new JsonObject
                {
                    ["type"] = "RollingUpdate",
                    ["rollingUpdate"] = new JsonObject { ["partition"] = 0 },
                };
                spec["persistentVolumeClaimRetentionPolicy"] ??= new JsonObject { ["whenDeleted"] = "Retain", ["whenScaled"] = "Retain" };
                break;
            case "DaemonSet":
                spec["revisionHistoryLimit"] ??= 10;
                spec["updateStrategy"] ??= new JsonObject
                {
                    ["type"] = "RollingUpdate",
                    ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 1, ["maxSurge"] = 0 },
                };
                break;
            case "Job":
                DefaultJob(obj, spec);
                break;
        }
    }

    /// <summary>Jobs get a selector on a <c>controller-uid</c> label the server generates (manualSelector unset).</summary>
    private static void DefaultJob(JsonObject obj, JsonObject spec)
    {
        spec["parallelism"] ??= 1;
        spec["completions"] ??= spec["parallelism"]!.DeepClone();
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        if (spec["manualSelector"] is JsonValue manual && manual.TryGetValue<bool>(out var isManual) && isManual)
        {
            return;
        }

        var uid = obj.Uid();
        if (uid is null || spec["selector"] is not null)
        {
            return;
        }

        spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
        if (spec["template"] is JsonObject template)
        {
            var metadata = template["metadata"] as JsonObject ?? new JsonObject();
            var labels = metadata["labels"] as JsonObject ?? new JsonObject();
            labels["batch.kubernetes.io/controller-uid"] = uid;
            labels["batch.kubernetes.io/job-name"] = obj.Name();
            labels["controller-uid"] = uid;
            labels["job-name"] = obj.Name();
            metadata["labels"] = labels;
            template["metadata"] = metadata;
        }
    }
}
