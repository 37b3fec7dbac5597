using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>
/// What differs between kinds on the write path (upstream's <c>rest.RESTCreateStrategy</c> and
/// friends): defaults, fields users may not set, validation, and values that must be unique
/// across the cluster (cluster IPs, node ports) which the registry reserves in the same
/// transaction as the object.
/// </summary>
public class ResourceStrategy(ResourceType resource)
{
    public ResourceType Resource { get; } = resource;

    /// <summary>Kinds without a spec (ConfigMap, Secret, Event…) never bump metadata.generation.</summary>
    public virtual bool TracksGeneration => true;

    /// <summary>Names must be RFC 1123 labels rather than subdomains (Namespace, Service).</summary>
    protected virtual bool NameIsLabel => false;

    /// <summary>Defaults and resets before a create.</summary>
    public virtual void PrepareForCreate(JsonObject obj)
    {
        if (Resource.HasSubresource("status"))
        {
            // Users never set status on create; controllers and agents write it through /status.
            obj.Remove("status");
        }
    }

    /// <summary>Defaults and resets before an update of the main resource.</summary>
    public virtual void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        if (Resource.HasSubresource("status"))
        {
            if (old["status"] is { } status)
            {
                obj["status"] = status.DeepClone();
            }
            else
            {
                obj.Remove("status");
            }
        }
    }

    /// <summary>Checks the object; <paramref name="old"/> is null on create.</summary>
    public virtual void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        var metadata = obj.Metadata();
        ValidateName("metadata.name", obj.Name() ?? "", errors);

        NameRules.Labels("metadata.labels", metadata["labels"], errors);
        NameRules.Annotations("metadata.annotations", metadata["annotations"], errors);
        if (metadata["finalizers"] is { } finalizers &&
            (finalizers is not JsonArray list || list.Any(f => f is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String)))
        {
            errors.Add(FieldError.InvalidValue("metadata.finalizers", null, "must be a list of strings"));
        }
    }

    /// <summary>The kind's name rule: a DNS subdomain unless <see cref="NameIsLabel"/>; RBAC kinds allow more.</summary>
    protected virtual void ValidateName(string field, string name, List<FieldError> errors)
    {
        if (NameIsLabel)
        {
            NameRules.Label(field, name, errors);
        }
        else
        {
            NameRules.Subdomain(field, name, errors);
        }
    }

    /// <summary>Kind-specific work that must finish before a deleted object goes (a namespace's spec.finalizers).</summary>
    public virtual bool HoldsDeletion(JsonObject obj) => false;

    /// <summary>The kind holds cluster-wide reservations (see <see cref="ReservedKeys"/>).</summary>
    public virtual bool UsesReservations => false;

    /// <summary>Store keys that must be unique to this object (e.g. <c>/registry/ranges/serviceips/10.43.0.10</c>).</summary>
    public virtual IReadOnlyCollection<string> ReservedKeys(JsonObject obj) => [];

    /// <summary>
    /// Picks values the user left for the server to choose (cluster IP, node ports), given what
    /// is already taken. Called before validation on create and update.
    /// </summary>
    public virtual void Allocate(JsonObject obj, JsonObject? old, Func<string, bool> isTaken)
    {
    }

    /// <summary>The 422 for a reserved key that someone else holds.</summary>
    public virtual FieldError ReservationConflict(JsonObject obj, string key) =>
        FieldError.InvalidValue("metadata.name", obj.Name(), $"conflicts with an existing reservation {key}");
}
