using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;
using Edge.ApiServer.Requests;
using Edge.Store;

namespace Edge.ApiServer.Registry;

public sealed partial class ObjectRegistry
{
    /// <summary>
    /// Creates an object: identity and defaults, validation, reservations (cluster IPs, node
    /// ports), then one transaction that fails if the name or a reservation is taken.
    /// </summary>
    public async Task<JsonObject> CreateAsync(ResourceType resource, string? ns, JsonObject obj, WriteOptions options, CancellationToken cancellationToken) =>
        (await CreateStoredAsync(resource, ns, obj, options, cancellationToken)).Object;

    /// <summary>
    /// <see cref="CreateAsync"/>, also giving the object as stored (null for a dry run), so that
    /// an HTTP answer can be spliced from those bytes instead of serialising the tree again.
    /// </summary>
    public async Task<(JsonObject Object, KeyValue? Stored)> CreateStoredAsync(
        ResourceType resource, string? ns, JsonObject obj, WriteOptions options, CancellationToken cancellationToken)
    {
        CheckTypeMeta(resource, obj);
        var metadata = obj.Metadata();
        if (resource.Namespaced)
        {
            var bodyNamespace = obj.Namespace();
            if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }

        var generateName = ObjectFields.String(metadata, "generateName");
        if (string.IsNullOrEmpty(obj.Name()) && string.IsNullOrEmpty(generateName))
        {
            throw ApiException.Invalid(resource, "", [FieldError.Required("metadata.name", "name or generateName is required")]);
        }

        await CheckNamespaceAcceptsContentAsync(resource, ns, cancellationToken);
        var strategy = strategies.For(resource);
        var attempts = 0;
        // A retry (a generated name or a server-chosen IP that someone else took) starts again from
        // the request; without one possible, the request object itself is worked on.
        var userNamed = !string.IsNullOrEmpty(obj.Name());
        var original = !userNamed || strategy.UsesReservations ? (JsonObject)obj.DeepClone() : null;
        while (true)
        {
            var candidate = attempts == 0 || original is null ? obj : (JsonObject)original.DeepClone();
            var candidateMetadata = candidate.Metadata();
            if (string.IsNullOrEmpty(candidate.Name()))
            {
                candidateMetadata["name"] = GenerateName(generateName!);
            }

            var name = candidate.Name()!;
            candidateMetadata["uid"] = Guid.NewGuid().ToString();
            candidateMetadata["creationTimestamp"] = Now();
            candidateMetadata.Remove("resourceVersion");
            candidateMetadata.Remove("deletionTimestamp");
            candidateMetadata.Remove("deletionGracePeriodSeconds");
            candidateMetadata.Remove("selfLink");
            if (strategy.TracksGeneration)
            {
                candidateMetadata["generation"] = 1;
            }
            else
            {
                candidateMetadata.Remove("generation");
            }

            strategy.PrepareForCreate(candidate);
            var taken = strategy.UsesReservations ? await ReservedKeysTakenAsync(cancellationToken) : [];
            strategy.Allocate(candidate, null, taken.Contains);
            var errors = new List<FieldError>();
            strategy.Validate(candidate, null, errors);
            Check(resource, name, errors);
            if (options.Admit is { } admit)
            {
                await admit(null, candidate, cancellationToken);
            }

            if (options.DryRun)
            {
                return (candidate, null);
            }

            var key = StoredObjects.Key(resource, ns, name);
            var reserved = strategy.ReservedKeys(candidate);
            var compares = new List<Compare> { Compare.Missing(key) };
            var stored = StoredObjects.Encode(candidate);
            var ops = new List<TxnOp> { new PutOp(key, stored) };
            foreach (var reservation in reserved)
            {
                compares.Add(Compare.Missing(reservation));
                ops.Add(new PutOp(reservation, System.Text.Encoding.UTF8.GetBytes(key)));
            }

            var result = await Guard(() => store.TxnAsync(new TxnRequest(compares, ops), cancellationToken));
            if (result.Succeeded)
            {
                candidateMetadata["resourceVersion"] = StoredObjects.Revision(result.Revision);
                return (candidate, new KeyValue(key, stored, result.Revision, result.Revision, 1, 0));
            }

            if (await GetKvAsync(resource, ns, name, cancellationToken) is not null)
            {
                if (userNamed || ++attempts > MaxRetries)
                {
                    throw ApiException.AlreadyExists(resource, name);
                }

                continue;
            }

            // A reservation was taken meanwhile: retry when the server chose it, refuse when the user did.
            var conflict = await FirstTakenAsync(reserved, cancellationToken);
            if (conflict is not null && UserChose(strategy, original ?? obj, conflict) || ++attempts > MaxRetries)
            {
                throw ApiException.Invalid(resource, name, [strategy.ReservationConflict(candidate, conflict ?? "")]);
            }
        }
    }

    /// <summary>Every reservation key currently held (cluster IPs, node ports).</summary>
    private async Task<HashSet<string>> ReservedKeysTakenAsync(CancellationToken cancellationToken)
    {
        var result = await Guard(() => store.RangeAsync(RangeRequest.Prefix("/registry/ranges/"), cancellationToken));
        return result.Kvs.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
    }

    private async Task<string?> FirstTakenAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            if ((await Guard(() => store.RangeAsync(new RangeRequest(key), cancellationToken))).Kvs.Count > 0)
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>True when the user's own object already named this reservation (so retrying cannot help).</summary>
    private static bool UserChose(Admission.ResourceStrategy strategy, JsonObject original, string key) =>
        strategy.ReservedKeys(original).Contains(key);

    /// <summary>kind and apiVersion may be left out; when given they must be this resource's.</summary>
    private static void CheckTypeMeta(ResourceType resource, JsonObject obj)
    {
        var apiVersion = ObjectFields.String(obj, "apiVersion");
        var kind = ObjectFields.String(obj, "kind");
        if (apiVersion is not null && apiVersion != resource.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.ApiVersion})");
        }

        if (kind is not null && kind != resource.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({resource.Kind})");
        }

        if (obj["metadata"] is { } metadata && metadata is not JsonObject)
        {
            throw ApiException.BadRequest("metadata must be an object");
        }

        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
        // Keep apiVersion and kind first, as upstream writes them.
        var copy = obj.ToList();
        obj.Clear();
        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
        foreach (var (field, value) in copy)
        {
            if (field is not ("apiVersion" or "kind"))
            {
                obj[field] = value;
            }
        }
    }

    private static string GenerateName(string prefix)
    {
        // Upstream trims the prefix so that the name stays within 63 characters.
        if (prefix.Length > 58)
        {
            prefix = prefix[..58];
        }

        return prefix + NameSuffix.Next();
    }
}
