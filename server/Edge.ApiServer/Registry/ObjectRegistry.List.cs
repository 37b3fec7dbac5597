using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.Api.Errors;
using Edge.ApiServer.Requests;
using Edge.Store;

namespace Edge.ApiServer.Registry;

/// <summary>
/// One page of a list: the stored items, the revision they were read at, and the token for the
/// next page. Items are decoded only when someone needs the trees (selectors, tables); a plain
/// list is written from the stored bytes.
/// </summary>
public sealed class ListPage(IReadOnlyList<KeyValue> kvs, JsonObject?[] decoded, long revision, string? continueToken)
{
    private IReadOnlyList<JsonObject>? _items;

    public IReadOnlyList<KeyValue> Kvs { get; } = kvs;

    public long Revision { get; } = revision;

    public string? Continue { get; } = continueToken;

    public IReadOnlyList<JsonObject> Items => _items ??= Kvs.Select((kv, i) => decoded[i] ?? StoredObjects.Decode(kv)).ToList();
}

public sealed partial class ObjectRegistry
{
    private const int ReadBatch = 500;

    private const string ContinueTooOld =
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    /// <summary>
    /// Lists objects of one namespace or of all, filtered by selectors, in pages of
    /// <see cref="ListOptions.Limit"/>. Every page of one list reads the same revision, so paging
    /// is consistent; a continue token older than the compacted history is 410.
    /// </summary>
    public async Task<ListPage> ListAsync(ResourceType resource, string? ns, ListOptions options, CancellationToken cancellationToken)
    {
        options.ValidateFields(resource);
        var prefix = StoredObjects.Prefix(resource, ns);
        var end = KeyRange.PrefixEnd(prefix);
        var start = prefix;
        long revision = 0;
        if (options.Continue is { } token)
        {
            (revision, var after) = DecodeContinue(token, prefix);
            start = after;
        }
        else
        {
            revision = await ListRevisionAsync(options, cancellationToken);
        }

        // A name in the field selector narrows the read to one key.
        if (options.Fields.TryGetExactValue("metadata.name", out var exactName) && options.Continue is null &&
            (!resource.Namespaced || ns is not null))
        {
            start = StoredObjects.Key(resource, ns, exactName);
            end = start + "\0";
        }

        var items = new List<KeyValue>();
        var decoded = new List<JsonObject?>();
        var filtered = !options.Labels.IsEmpty || !options.Fields.IsEmpty;
        string? nextStart = null;
        while (true)
        {
            RangeResult page;
            try
            {
                // Unfiltered, a page needs its items and one more key (where the next page starts),
                // not another whole batch read only to find that key.
                var batch = !filtered && options.Limit > 0 ? (int)Math.Min(ReadBatch, options.Limit - items.Count + 1) : ReadBatch;
                page = await store.RangeAsync(new RangeRequest(start) { RangeEnd = end, Limit = batch, Revision = revision, WithoutCount = true }, cancellationToken);
            }
            catch (StoreCompactedException)
            {
                throw options.Continue is not null
                    ? ApiException.Gone(ContinueTooOld)
                    : ApiException.Gone($"too old resource version: {revision}");
            }
            catch (StoreException e)
            {
                throw ApiException.Internal(e.Message);
            }

            revision = page.Revision;
            foreach (var kv in page.Kvs)
            {
                var obj = filtered ? StoredObjects.Decode(kv) : null;
                if (obj is not null && !Matches(resource, obj, options))
                {
                    continue;
                }

                if (options.Limit > 0 && items.Count == options.Limit)
                {
                    nextStart = kv.Key;
                    break;
                }

                items.Add(kv);
                decoded.Add(obj);
            }

            if (nextStart is not null || !page.More || page.Kvs.Count == 0)
            {
                break;
            }

            start = page.Kvs[^1].Key + "\0";
        }

        return new ListPage(items, [.. decoded], revision, nextStart is null ? null : EncodeContinue(revision, nextStart));
    }

    public static bool Matches(ResourceType resource, JsonObject obj, ListOptions options) =>
        options.Labels.Matches(obj.Labels()) &&
        options.Fields.Matches(field => SelectableFields.ValueOf(resource, obj, field));

    /// <summary>The revision a first page reads: Exact pins it, anything else reads the latest.</summary>
    private async Task<long> ListRevisionAsync(ListOptions options, CancellationToken cancellationToken)
    {
        var requested = options.ResourceVersion;
        if (string.IsNullOrEmpty(requested) || requested == "0")
        {
            if (options.ResourceVersionMatch == "Exact")
            {
                throw ApiException.BadRequest("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
            }

            return 0;
        }

        if (!long.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            throw ApiException.BadRequest($"resourceVersion: Invalid value: \"{requested}\": must be a non-negative integer");
        }

        if (options.ResourceVersionMatch is not (null or "" or "Exact" or "NotOlderThan"))
        {
            throw ApiException.BadRequest($"resourceVersionMatch: Unsupported value: \"{options.ResourceVersionMatch}\": supported values: \"Exact\", \"NotOlderThan\"");
        }

        var current = await CurrentRevisionAsync(cancellationToken);
        if (revision > current)
        {
            throw new ApiException(Api.Meta.Status.Failure(504, "Timeout", $"Too large resource version: {revision}, current: {current}") with
            {
                Details = new Api.Meta.StatusDetails { RetryAfterSeconds = 1 },
            });
        }

        return options.ResourceVersionMatch == "Exact" ? revision : 0;
    }

    private static string EncodeContinue(long revision, string nextKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{revision.ToString(CultureInfo.InvariantCulture)}\n{nextKey}"));

    private static (long Revision, string Start) DecodeContinue(string token, string prefix)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var newline = text.IndexOf('\n');
            if (newline > 0 && long.TryParse(text.AsSpan(0, newline), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) &&
                text[(newline + 1)..] is var start && start.StartsWith(prefix, StringComparison.Ordinal))
            {
                return (revision, start);
            }
        }
        catch (FormatException)
        {
        }

        throw ApiException.BadRequest("continue key is not valid: the continue token is malformed or belongs to another list");
    }
}
