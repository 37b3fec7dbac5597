using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Meta;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.Api.Errors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Edge.ApiServer.Watch;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Resources;

public sealed partial class ResourceEndpoint
{
    private static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(30);

    private const long MaxWatchSeconds = 30L * 24 * 3600;

    /// <summary>
    /// A watch: optional initial ADDED events (resourceVersion unset or "0", or
    /// sendInitialEvents=true), then every change in revision order, filtered by the selectors
    /// with upstream's transitions (an object leaving the selector is DELETED, entering it is
    /// ADDED), BOOKMARKs when asked, until timeoutSeconds or the client leaves.
    /// </summary>
    private async Task WatchAsync(HttpContext context, ResourceType resource, string? ns, ListOptions options)
    {
        options.ValidateFields(resource);
        var cancellationToken = context.RequestAborted;
        var requested = options.ResourceVersion;
        var initialEvents = options.SendInitialEvents ?? (string.IsNullOrEmpty(requested) || requested == "0");
        long from = 0;
        if (!initialEvents && !string.IsNullOrEmpty(requested) && requested != "0" &&
            !long.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out from))
        {
            throw ApiException.BadRequest($"resourceVersion: Invalid value: \"{requested}\": must be a non-negative integer");
        }

        await watchCache.Ready.WaitAsync(cancellationToken);
        WatchSubscription? subscription;
        long startRevision;
        if (initialEvents || from == 0)
        {
            (subscription, startRevision) = watchCache.SubscribeNow(resource, ns);
        }
        else
        {
            subscription = watchCache.Subscribe(resource, ns, from);
            startRevision = from;
        }

        // kubectl get -w asks for Tables: then every event carries a one-row Table of its object.
        var asTable = WantsTable(context.Request);
        var includeObject = IncludeObject(context.Request);
        byte[] TableFrame(string type, JsonObject obj) =>
            CachedEvent.Encode(type, Tables.TableConvertor.ToTable(resource, [obj], time.GetUtcNow(), includeObject, null, null));

        // CancelAfter refuses more than ~49 days; a longer timeout is the same as none.
        var timeout = TimeSpan.FromSeconds(Math.Min(options.TimeoutSeconds ?? (1800 + Random.Shared.Next(1800)), MaxWatchSeconds));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(cancellationToken);
        // Kestrel's StartAsync only buffers the headers; send them now, as upstream flushes its
        // watch headers at once: clients (client-go's Watch, HttpClient) wait for them before reading.
        await context.Response.Body.FlushAsync(cancellationToken);
        if (subscription is null)
        {
            // Upstream reports a resume point older than the history as an ERROR event in a 200.
            var gone = Status.Failure(410, "Expired", $"too old resource version: {from} ({watchCache.Revision})");
            await WriteFrameAsync(context, CachedEvent.Encode("ERROR", StatusNode(gone)));
            return;
        }

        using (subscription)
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(timeout);
            try
            {
                var lastRevision = startRevision;
                // At revision 0 the store was empty: there is nothing to replay as ADDED.
                if (initialEvents && startRevision > 0)
                {
                    var page = await registry.ListAsync(resource, ns, options with
                    {
                        ResourceVersion = StoredObjects.Revision(startRevision),
                        ResourceVersionMatch = "Exact",
                        Limit = 0,
                        Continue = null,
                    }, deadline.Token);
                    foreach (var item in page.Items)
                    {
                        await WriteFrameAsync(context, asTable ? TableFrame("ADDED", item) : CachedEvent.Encode("ADDED", item));
                    }

                    if (options.SendInitialEvents == true && options.AllowWatchBookmarks)
                    {
                        await WriteFrameAsync(context, Bookmark(resource, lastRevision, initialEventsEnd: true));
                    }
                }

                await StreamChangesAsync(context, resource, options, subscription, lastRevision, asTable ? TableFrame : null, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                // Timeout or client gone: the stream simply ends, as upstream's does.
            }
        }
    }

    private static async Task StreamChangesAsync(
        HttpContext context, ResourceType resource, ListOptions options, WatchSubscription subscription, long lastRevision,
        Func<string, JsonObject, byte[]>? tableFrame, CancellationToken cancellationToken)
    {
        var filtered = !options.Labels.IsEmpty || options.Fields.Requirements.Count > 0;
        var reader = subscription.Events;
        var output = context.Response.BodyWriter;
        // One bookmark timer per quiet interval, not one per event: a busy watch of a thousand
        // watchers would otherwise make and link a token source for every delivery.
        CancellationTokenSource? bookmarkWait = null;
        try
        {
            while (true)
            {
                if (options.AllowWatchBookmarks && bookmarkWait is null)
                {
                    bookmarkWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    bookmarkWait.CancelAfter(BookmarkInterval);
                }

                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(bookmarkWait?.Token ?? cancellationToken);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    bookmarkWait!.Dispose();
                    bookmarkWait = null;
                    await WriteFrameAsync(context, Bookmark(resource, lastRevision, initialEventsEnd: false));
                    continue;
                }

                if (!more)
                {
                    return;
                }

                var wrote = false;
                while (reader.TryRead(out var cached))
                {
                    lastRevision = cached.Revision;
                    var type = EventType(resource, options, cached, filtered);
                    if (type is not null)
                    {
                        output.Write(tableFrame is null ? cached.Frame(type) : tableFrame(type, cached.Current ?? cached.Previous!));
                        wrote = true;
                    }
                }

                if (wrote)
                {
                    await output.FlushAsync(cancellationToken);
                    // A bookmark comes after a quiet interval: an event restarts the timer (if it
                    // fired meanwhile, the next wait throws and the bookmark goes out).
                    bookmarkWait?.CancelAfter(BookmarkInterval);
                }
            }
        }
        finally
        {
            bookmarkWait?.Dispose();
        }
    }

    /// <summary>The event type this watcher sees, or null when the change is outside its selectors.</summary>
    private static string? EventType(ResourceType resource, ListOptions options, CachedEvent cached, bool filtered)
    {
        if (!filtered)
        {
            return cached.IsDeletion ? "DELETED" : cached.IsCreation ? "ADDED" : "MODIFIED";
        }

        var now = cached.Current is not null && ObjectRegistry.Matches(resource, cached.Current, options);
        var before = cached.Previous is not null && ObjectRegistry.Matches(resource, cached.Previous, options);
        return (before, now) switch
        {
            (false, false) => null,
            (false, true) => "ADDED",
            (true, true) => "MODIFIED",
            (true, false) => "DELETED",
        };
    }

    private static byte[] Bookmark(ResourceType resource, long revision, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = StoredObjects.Revision(revision) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        return CachedEvent.Encode("BOOKMARK", new JsonObject
        {
            ["kind"] = resource.Kind,
            ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = metadata,
        });
    }

    private static JsonObject StatusNode(Status status) =>
        (JsonObject)JsonNode.Parse(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(status, Api.ApiJsonContext.Default.Status))!;

    private static async Task WriteFrameAsync(HttpContext context, byte[] frame)
    {
        await context.Response.Body.WriteAsync(frame, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
