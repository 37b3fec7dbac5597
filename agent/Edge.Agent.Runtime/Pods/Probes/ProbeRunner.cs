using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Cri;

namespace Edge.Agent.Runtime.Pods.Probes;

/// <summary>One probe attempt: exec through CRI <c>ExecSync</c>, HTTP GET or a TCP connect to the pod IP.</summary>
public sealed class ProbeRunner(CriClient cri, HttpClient http)
{
    public async Task<ProbeResult> RunAsync(JsonObject probe, ContainerView container, string containerId, string podIp, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, PodView.Long(probe, "timeoutSeconds") ?? 1));
        try
        {
            if (probe["exec"] is JsonObject exec)
            {
                var command = (exec["command"] as JsonArray)?.Select(c => c?.GetValue<string>() ?? "").ToArray() ?? [];
                var result = await cri.ExecSyncAsync(containerId, command, timeout, cancellationToken);
                if (result.ExitCode == 0)
                {
                    return ProbeResult.Success;
                }

                var output = (result.Stdout.ToStringUtf8() + result.Stderr.ToStringUtf8()).Trim();
                return ProbeResult.Failure($"command {string.Join(' ', command.Select(c => $"\"{c}\""))} exited with {result.ExitCode}: {output}");
            }

            if (probe["httpGet"] is JsonObject get)
            {
                var port = Port(get["port"], container);
                var path = PodView.Text(get, "path") ?? "/";
                var scheme = (PodView.Text(get, "scheme") ?? "HTTP").ToLowerInvariant();
                var host = PodView.Text(get, "host") ?? podIp;
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{scheme}://{host}:{port}{(path.StartsWith('/') ? path : "/" + path)}");
                foreach (var header in (get["httpHeaders"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    request.Headers.TryAddWithoutValidation(PodView.Text(header, "name") ?? "", PodView.Text(header, "value") ?? "");
                }

                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(timeout);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var code = (int)response.StatusCode;
                return code is >= 200 and < 400 ? ProbeResult.Success : ProbeResult.Failure($"HTTP probe failed with statuscode: {code}");
            }

            if (probe["tcpSocket"] is JsonObject tcp)
            {
                var port = Port(tcp["port"], container);
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(timeout);
                await socket.ConnectAsync(PodView.Text(tcp, "host") ?? podIp, port, deadline.Token);
                return ProbeResult.Success;
            }

            return ProbeResult.Failure("the probe names no handler (exec, httpGet or tcpSocket)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Failure($"probe timed out after {timeout.TotalSeconds:0}s");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or CriException or IOException)
        {
            return ProbeResult.Failure(e.Message);
        }
    }

    /// <summary>A number, or a named port of the container.</summary>
    private static int Port(JsonNode? port, ContainerView container)
    {
        if (port is JsonValue value && value.TryGetValue<int>(out var number))
        {
            return number;
        }

        var name = port?.GetValue<string>() ?? "";
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        var named = container.Ports.FirstOrDefault(p => PodView.Text(p, "name") == name);
        return named is not null && PodView.Long(named, "containerPort") is { } found
            ? (int)found
            : throw new IOException($"port {name} is not a named port of container {container.Name}");
    }
}

public sealed record ProbeResult(bool Ok, string Message)
{
    public static readonly ProbeResult Success = new(true, "");

    public static ProbeResult Failure(string message) => new(false, message);
}

/// <summary>
/// A probe's schedule and thresholds for one container instance (upstream's defaults: period 10 s,
/// success 1, failure 3). The first attempt waits for <c>initialDelaySeconds</c> after the start.
/// </summary>
public sealed class ProbeState(string kind, JsonObject probe, DateTimeOffset containerStarted)
{
    private int _successes;
    private int _failures;
    private DateTimeOffset _next = containerStarted + TimeSpan.FromSeconds(PodView.Long(probe, "initialDelaySeconds") ?? 0);

    public string Kind { get; } = kind;

    public JsonObject Probe { get; } = probe;

    /// <summary>The probe's verdict so far: null until the thresholds decided either way.</summary>
    public bool? Passing { get; private set; }

    public string LastMessage { get; private set; } = "";

    public bool Due(DateTimeOffset now) => now >= _next;

    private TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, PodView.Long(Probe, "periodSeconds") ?? 10));

    /// <summary>Records a result; true when the verdict changed.</summary>
    public bool Record(ProbeResult result, DateTimeOffset now)
    {
        _next = now + Period;
        var before = Passing;
        if (result.Ok)
        {
            _failures = 0;
            _successes++;
            if (_successes >= Math.Max(1, PodView.Long(Probe, "successThreshold") ?? 1))
            {
                Passing = true;
            }
        }
        else
        {
            _successes = 0;
            _failures++;
            LastMessage = result.Message;
            if (_failures >= Math.Max(1, PodView.Long(Probe, "failureThreshold") ?? 3))
            {
                Passing = false;
            }
        }

        return before != Passing;
    }
}
