using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>CronJobs: upstream defaults; a schedule and a job template are required.</summary>
public sealed class CronJobStrategy(ResourceType resource) : ResourceStrategy(resource)
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
        if (string.IsNullOrWhiteSpace(ObjectFields.String(obj["spec"], "schedule")))
        {
            errors.Add(FieldError.Required("spec.schedule"));
        }

        PodSpecRules.Validate("spec.jobTemplate.spec.template.spec", obj["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"], errors);
    }

    private static void Default(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            return;
        }

        spec["concurrencyPolicy"] ??= "Allow";
        spec["suspend"] ??= false;
        spec["successfulJobsHistoryLimit"] ??= 3;
        spec["failedJobsHistoryLimit"] ??= 1;
        if (spec["jobTemplate"]?["spec"]?["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecRules.Default(podSpec);
        }
    }
}
