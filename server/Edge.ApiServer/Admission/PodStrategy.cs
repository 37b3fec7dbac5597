using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Pods: spec defaults plus what upstream's admission adds (service account, the default
/// not-ready/unreachable tolerations of 300 s, priority 0), a Pending status, and the rule that a
/// pod's spec is immutable except for images, activeDeadlineSeconds and added tolerations.
/// </summary>
public sealed class PodStrategy(ResourceType resource) : ResourceStrategy(resource)
{
    public override bool TracksGeneration => false;

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        if (obj["spec"] is JsonObject spec)
        {
            PodSpecRules.Default(spec);
            spec["enableServiceLinks"] ??= true;
            // Mirror pods of a node's static pods get no service account, as upstream: a node may
            // not hand its static pods an identity (NodeRestriction refuses one set explicitly).
            if (ObjectFields.String(obj["metadata"]?["annotations"], NodeRestriction.MirrorPodAnnotation) is null)
            {
                spec["serviceAccountName"] ??= spec["serviceAccount"]?.DeepClone() ?? "default";
                spec["serviceAccount"] ??= spec["serviceAccountName"]!.DeepClone();
            }
            spec["priority"] ??= 0;
            AddDefaultTolerations(spec);
        }

        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(obj["spec"] as JsonObject) };
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        if (obj["spec"] is JsonObject spec)
        {
            PodSpecRules.Default(spec);
        }
    }

    public override void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        base.Validate(obj, old, errors);
        PodSpecRules.Validate("spec", obj["spec"], errors);
        if (old is not null && obj["spec"] is JsonObject spec && old["spec"] is JsonObject oldSpec && !OnlyMutableFieldsChanged(spec, oldSpec))
        {
            errors.Add(FieldError.Forbidden("spec",
                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
        }
    }

    private static bool OnlyMutableFieldsChanged(JsonObject spec, JsonObject oldSpec)
    {
        var candidate = (JsonObject)spec.DeepClone();
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (candidate[list] is JsonArray now && oldSpec[list] is JsonArray before && now.Count == before.Count)
            {
                for (var i = 0; i < now.Count; i++)
                {
                    if (now[i] is JsonObject c && before[i] is JsonObject b)
                    {
                        c["image"] = b["image"]?.DeepClone();
                    }
                }
            }
        }

        candidate["activeDeadlineSeconds"] = oldSpec["activeDeadlineSeconds"]?.DeepClone();
        if (candidate["activeDeadlineSeconds"] is null)
        {
            candidate.Remove("activeDeadlineSeconds");
        }

        // Tolerations may only grow: the old ones must still be there, in order.
        if (candidate["tolerations"] is JsonArray tolerations && oldSpec["tolerations"] is JsonArray oldTolerations &&
            tolerations.Count >= oldTolerations.Count &&
            oldTolerations.Select((t, i) => JsonNode.DeepEquals(t, tolerations[i])).All(x => x))
        {
            candidate["tolerations"] = oldTolerations.DeepClone();
        }

        // The scheduler's binding sets nodeName once.
        if (ObjectFields.String(oldSpec, "nodeName") is null && candidate["nodeName"] is not null)
        {
            candidate.Remove("nodeName");
        }

        return JsonNode.DeepEquals(candidate, oldSpec);
    }

    private static void AddDefaultTolerations(JsonObject spec)
    {
        var tolerations = spec["tolerations"] as JsonArray ?? new JsonArray();
        foreach (var key in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            var present = tolerations.OfType<JsonObject>().Any(t =>
                ObjectFields.String(t, "key") == key || (ObjectFields.String(t, "operator") == "Exists" && t["key"] is null));
            if (!present)
            {
                tolerations.Add((JsonNode)new JsonObject
                {
                    ["key"] = key,
                    ["operator"] = "Exists",
                    ["effect"] = "NoExecute",
                    ["tolerationSeconds"] = 300,
                });
            }
        }

        spec["tolerations"] = tolerations;
    }

    /// <summary>Upstream's QoS class: Guaranteed when every container's requests equal its cpu and memory limits.</summary>
    private static string QosClass(JsonObject? spec)
    {
        var containers = (spec?["containers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var any = false;
        var guaranteed = containers.Count > 0;
        foreach (var container in containers)
        {
            var resources = container["resources"] as JsonObject;
            var requests = resources?["requests"] as JsonObject;
            var limits = resources?["limits"] as JsonObject;
            any |= requests?.Count > 0 || limits?.Count > 0;
            foreach (var name in new[] { "cpu", "memory" })
            {
                var limit = limits?[name]?.ToJsonString();
                var request = requests?[name]?.ToJsonString() ?? limit;
                guaranteed &= limit is not null && request == limit;
            }
        }

        return guaranteed ? "Guaranteed" : any ? "Burstable" : "BestEffort";
    }
}
