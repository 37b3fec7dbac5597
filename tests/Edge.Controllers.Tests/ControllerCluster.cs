using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer;
using Edge.Controllers;
using Edge.Store.Embedded;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.Tests;

/// <summary>
/// The API (registry, admission, watch cache) over a real embedded store in a temp dir, the
/// control loops on its in-process client, and a hollow kubelet that reports pods Running and
/// Ready as an agent would (unless the test holds a pod back by its image). Any error logged by a
/// loop fails the test at the end.
/// </summary>
public sealed class ControllerCluster : IAsyncDisposable
{
    private readonly string _dir;
    private readonly EmbeddedStore _store;
    private readonly ApiServices _api;
    private readonly ControllerManager _controllers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _kubelet;
    private readonly ConcurrentBag<Task> _exits = [];
    private readonly RecordingLoggers _loggers;
    private int _podIps;

    /// <summary>Pods whose first container has one of these images never become ready.</summary>
    public ConcurrentDictionary<string, bool> UnreadyImages { get; } = new();

    /// <summary>
    /// Pods for which this returns true are not made ready either (a per-pod hold, where pods
    /// share a template). Releasing one takes a change to the pod for the kubelet to look again.
    /// </summary>
    public Func<JsonObject, bool>? HoldPod { get; set; }

    /// <summary>
    /// Pods whose first container has one of these images run for <see cref="RunTime"/> and then
    /// exit with the given code: phase Succeeded for 0, Failed otherwise (as Job pods do).
    /// </summary>
    public ConcurrentDictionary<string, int> ExitCodes { get; } = new();

    public static TimeSpan RunTime { get; } = TimeSpan.FromMilliseconds(300);

    public IClusterClient Client => _api.Client;

    public string Namespace { get; } = "t" + Guid.NewGuid().ToString("N")[..8];

    private ControllerCluster(string dir, EmbeddedStore store, ApiServices api, ControllerManager controllers, RecordingLoggers loggers)
    {
        _loggers = loggers;
        _dir = dir;
        _store = store;
        _api = api;
        _controllers = controllers;
        _kubelet = Task.Run(() => RunKubeletAsync(_stop.Token));
    }

    public static async Task<ControllerCluster> StartAsync(ControllerOptions? options = null)
    {
        var dir = Directory.CreateTempSubdirectory("edge-controllers-").FullName;
        var store = EmbeddedStore.Open(new EmbeddedStoreOptions(dir));
        var loggers = new RecordingLoggers();
        var api = new ApiServices(store, loggers, TimeProvider.System);
        await api.StartAsync("127.0.0.1", 6443, CancellationToken.None);
        // Failed Job pods are replaced after 50 ms, 100 ms, … rather than 10 s, 20 s, …
        options = (options ?? new ControllerOptions()) with
        {
            Jobs = new Edge.Controllers.Jobs.JobControllerOptions { PodFailureBackoff = TimeSpan.FromMilliseconds(50) },
        };
        var controllers = new ControllerManager(api.Client, loggers, TimeProvider.System, options);
        controllers.Start();
        await controllers.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        var cluster = new ControllerCluster(dir, store, api, controllers, loggers);
        await cluster.Client.CreateAsync(KnownResources.Namespaces, null, Json($$$"""{"metadata":{"name":"{{{cluster.Namespace}}}"}}"""), default);
        return cluster;
    }

    public static JsonObject Json(string text) => (JsonObject)JsonNode.Parse(text)!;

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {seconds} s waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// A merge patch as kubectl sends it. Not retried: a patch without a resourceVersion must win
    /// against the controllers' concurrent writes (the registry retries it), as upstream.
    /// </summary>
    public Task<JsonObject> PatchAsync(ResourceType resource, string? ns, string name, string patch, string? subresource = null) =>
        Client.MergePatchAsync(resource, ns, name, Json(patch), subresource, default);

    public async Task<List<JsonObject>> ListAsync(ResourceType resource) =>
        (await Client.ListAsync(resource, Namespace, default)).Items.ToList();

    /// <summary>The hollow kubelet: every pod that is not held back or deleting becomes Running and Ready, with an address of its own.</summary>
    private async Task RunKubeletAsync(CancellationToken cancellationToken)
    {
        var revision = (await Client.ListAsync(KnownResources.Pods, null, cancellationToken)).Revision;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in Client.WatchAsync(KnownResources.Pods, null, revision, cancellationToken))
                {
                    revision = change.Revision;
                    var pod = change.Object;
                    if (change.Type == ObjectEventType.Deleted || pod.DeletionTimestamp() is not null ||
                        ObjectFields.String(pod["status"], "phase") is "Running" or "Succeeded" or "Failed")
                    {
                        continue;
                    }

                    var image = ObjectFields.String((pod["spec"]?["containers"] as JsonArray)?[0], "image") ?? "";
                    if (UnreadyImages.ContainsKey(image) || HoldPod?.Invoke(pod) == true)
                    {
                        continue;
                    }

                    var now = ObjectFields.Timestamp(DateTimeOffset.UtcNow);
                    var n = Interlocked.Increment(ref _podIps);
                    var ip = $"10.42.{n / 250}.{n % 250 + 1}";
                    pod["status"] = Json($$$"""
                        {"phase":"Running","startTime":"{{{now}}}","podIP":"{{{ip}}}","podIPs":[{"ip":"{{{ip}}}"}],"conditions":[
                          {"type":"Ready","status":"True","lastTransitionTime":"{{{now}}}"},
                          {"type":"ContainersReady","status":"True","lastTransitionTime":"{{{now}}}"}]}
                        """);
                    try
                    {
                        await Client.UpdateAsync(KnownResources.Pods, pod, "status", cancellationToken);
                        if (ExitCodes.TryGetValue(image, out var code))
                        {
                            _exits.Add(ExitAsync(pod.Name()!, pod.Namespace()!, code, cancellationToken));
                        }
                    }
                    catch (ApiException e) when (e.Status.Code is 404 or 409)
                    {
                        // Deleted or changed meanwhile; a later event brings it back.
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ApiException e) when (e.Status.Code == 410)
            {
                revision = (await Client.ListAsync(KnownResources.Pods, null, cancellationToken)).Revision;
            }
        }
    }

    /// <summary>The pod's containers exit with <paramref name="code"/> after <see cref="RunTime"/>.</summary>
    private async Task ExitAsync(string name, string ns, int code, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(RunTime, cancellationToken);
            for (var attempt = 0; ; attempt++)
            {
                var pod = await Client.GetAsync(KnownResources.Pods, ns, name, cancellationToken);
                if (pod.DeletionTimestamp() is not null)
                {
                    return;
                }

                var now = ObjectFields.Timestamp(DateTimeOffset.UtcNow);
                var phase = code == 0 ? "Succeeded" : "Failed";
                var reason = code == 0 ? "Completed" : "Error";
                pod["status"] = Json($$$"""
                    {"phase":"{{{phase}}}","startTime":"{{{now}}}","conditions":[
                      {"type":"Ready","status":"False","reason":"PodCompleted","lastTransitionTime":"{{{now}}}"},
                      {"type":"ContainersReady","status":"False","reason":"PodCompleted","lastTransitionTime":"{{{now}}}"}],
                     "containerStatuses":[{"name":"c","ready":false,"restartCount":0,"image":"x",
                       "state":{"terminated":{"exitCode":{{{code}}},"reason":"{{{reason}}}","finishedAt":"{{{now}}}"} } }]}
                    """);
                try
                {
                    await Client.UpdateAsync(KnownResources.Pods, pod, "status", cancellationToken);
                    return;
                }
                catch (ApiException e) when (e.Status.Code == 409 && attempt < 10)
                {
                    // Changed meanwhile (the controller labelled it, say): exit from the new version.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            // Deleted (by its Job, say) before it exited.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _kubelet;
        await Task.WhenAll(_exits);
        await _controllers.DisposeAsync();
        await _api.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
        if (_loggers.Errors.Count > 0)
        {
            Assert.Fail($"{_loggers.Errors.Count} errors were logged, the first:\n{string.Join("\n", _loggers.Errors.Take(2))}");
        }
    }

    /// <summary>Logs nowhere, but keeps errors (and warnings with exceptions) so that a test can fail on them.</summary>
    private sealed class RecordingLoggers : ILoggerFactory, ILogger
    {
        public List<string> Errors { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error || exception is not null)
            {
                lock (Errors)
                {
                    Errors.Add($"{logLevel}: {formatter(state, exception)} {exception}");
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
