using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Run;

/// <summary>
/// Pod and node events written to the API as the node (<c>source.component: kubelet</c>, as kubectl
/// describe expects; node events in <c>default</c>, as kubelet writes them). Recording only queues: a bounded queue drops the oldest when the server is away, and
/// an event repeated within ten minutes raises the count of the first instead of adding another.
/// </summary>
public sealed class ApiEventRecorder : IEventRecorder, IAsyncDisposable
{
    private static readonly TimeSpan RepeatWindow = TimeSpan.FromMinutes(10);

    private readonly Channel<(Involved Subject, string Type, string Reason, string Message, DateTimeOffset At)> _queue =
        System.Threading.Channels.Channel.CreateBounded<(Involved, string, string, string, DateTimeOffset)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Dictionary<string, (string Name, int Count, DateTimeOffset First)> _recent = new(StringComparer.Ordinal);
    private readonly NodeApiClients _client;
    private readonly string _nodeName;
    private readonly AgentLog _log;
    private readonly TimeProvider _time;
    private readonly Task _sender;

    public ApiEventRecorder(NodeApiClients client, string nodeName, AgentLog log, TimeProvider time)
    {
        _client = client;
        _nodeName = nodeName;
        _log = log;
        _time = time;
        _sender = Task.Run(SendAllAsync);
    }

    /// <summary>What an event is about; <paramref name="Namespace"/> is where the event goes (and the object's, for a pod).</summary>
    private sealed record Involved(string Kind, string Namespace, string Name, string Uid, string? FieldPath)
    {
        public string Describe => Kind == "Pod" ? $"pod {Namespace}/{Name}" : $"node {Name}";
    }

    public void Record(PodReference pod, string type, string reason, string message, string? fieldPath = null) =>
        _queue.Writer.TryWrite((new Involved("Pod", pod.Namespace, pod.Name, pod.Uid, fieldPath), type, reason, message, _time.GetUtcNow()));

    public void RecordForNode(string type, string reason, string message) =>
        _queue.Writer.TryWrite((new Involved("Node", "default", _nodeName, _nodeName, null), type, reason, message, _time.GetUtcNow()));

    private async Task SendAllAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync())
        {
            try
            {
                await SendAsync(item.Subject, item.Type, item.Reason, item.Message, item.At);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // The server is away: the event is lost, as upstream's are when the API cannot take them.
                _log.Warn($"event {item.Reason} for {item.Subject.Describe} not recorded: {e.Message}");
            }
        }
    }

    private async Task SendAsync(Involved subject, string type, string reason, string message, DateTimeOffset at)
    {
        var key = $"{subject.Kind}\n{subject.Uid}\n{subject.FieldPath}\n{type}\n{reason}\n{message}";
        var timestamp = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (_recent.TryGetValue(key, out var seen) && at - seen.First < RepeatWindow)
        {
            var patch = new JsonObject { ["count"] = seen.Count + 1, ["lastTimestamp"] = timestamp };
            var (patched, _) = await _client.Current.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{subject.Namespace}/events/{seen.Name}", patch, "application/merge-patch+json", CancellationToken.None);
            if (patched == HttpStatusCode.OK)
            {
                _recent[key] = (seen.Name, seen.Count + 1, seen.First);
                return;
            }
        }

        var name = $"{subject.Name}.{at.ToUnixTimeMilliseconds() * 1_000_000 + Random.Shared.Next(1_000_000):x}";
        var involved = new JsonObject { ["kind"] = subject.Kind, ["name"] = subject.Name, ["uid"] = subject.Uid, ["apiVersion"] = "v1" };
        if (subject.Kind == "Pod")
        {
            involved["namespace"] = subject.Namespace;
        }

        if (subject.FieldPath is not null)
        {
            involved["fieldPath"] = subject.FieldPath;
        }

        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = subject.Namespace },
            ["involvedObject"] = involved,
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = type,
            ["source"] = new JsonObject { ["component"] = "kubelet", ["host"] = _nodeName },
            ["firstTimestamp"] = timestamp,
            ["lastTimestamp"] = timestamp,
            ["count"] = 1,
            ["reportingComponent"] = "kubelet",
            ["reportingInstance"] = _nodeName,
        };
        var (status, answer) = await _client.Current.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{subject.Namespace}/events", body, "application/json", CancellationToken.None);
        if (status is HttpStatusCode.Created or HttpStatusCode.OK)
        {
            if (_recent.Count > 2000)
            {
                _recent.Clear();
            }

            _recent[key] = (name, 1, at);
        }
        else
        {
            _log.Warn($"event {reason} for {subject.Describe} refused ({(int)status}): {answer?["message"]}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sender.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
