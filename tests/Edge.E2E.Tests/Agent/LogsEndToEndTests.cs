using System.Text.RegularExpressions;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Agent;

/// <summary>
/// <c>kubectl logs</c> against pods on a real agent: the API server asks the node over the node
/// channel (the agent opens no port), the agent reads containerd's CRI log files.
/// </summary>
public sealed partial class LogsEndToEndTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string UniqueClusterCidr() => $"10.{100 + Random.Shared.Next(100)}.0.0/16";

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.33")]
    public async Task Logs_WholeTailTimestampsContainerFollowPrevious_AndTheirErrors(string version)
    {
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--cluster-cidr", UniqueClusterCidr());
        await using var node = await AgentNode.StartAsync(_temp, server, "edge-a");
        var kubectl = new Kubectl(version, _temp["kube-cache"]);
        async Task<RunResult> Kubectl(params string[] args) => await kubectl.RunAsync(server.Kubeconfig, args);
        async Task<string> WaitForAsync(string[] args, Func<string, bool> check)
        {
            var deadline = DateTime.UtcNow + Patience;
            RunResult? last = null;
            while (DateTime.UtcNow < deadline)
            {
                last = await Kubectl(args);
                if (last.ExitCode == 0 && check(last.Stdout))
                {
                    return last.Stdout;
                }

                await Task.Delay(250);
            }

            throw new TimeoutException($"kubectl {string.Join(' ', args)}: not there in {Patience.TotalSeconds} s; last {last}\nagent:\n{node.Process.Errors}");
        }

        await WaitForAsync(["get", "node", "edge-a", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"], o => o == "True");
        var manifest = _temp["pods.yaml"];
        File.WriteAllText(manifest, $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: counter}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: count
                image: {{TestImages.BusyboxReference}}
                command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo \"line $i\"; sleep 1; done"]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: two}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: a
                image: {{TestImages.BusyboxReference}}
                command: ["sh", "-c", "echo from-a; exec sleep 3600"]
              - name: b
                image: {{TestImages.BusyboxReference}}
                command: ["sh", "-c", "echo from-b; exec sleep 3600"]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: restarts}
            spec:
              terminationGracePeriodSeconds: 1
              volumes:
              - name: state
                emptyDir: {}
              containers:
              - name: app
                image: {{TestImages.BusyboxReference}}
                volumeMounts: [{name: state, mountPath: /state}]
                command: ["sh", "-c", "n=$(( $(cat /state/n 2>/dev/null || echo 0) + 1 )); echo $n > /state/n; echo \"attempt $n\"; if [ $n -ge 2 ]; then exec sleep 3600; fi; sleep 1; exit 1"]
            """);
        var apply = await Kubectl("apply", "-f", manifest);
        Assert.True(apply.ExitCode == 0, apply.ToString());

        // Whole log, --tail, --timestamps, --limit-bytes.
        var whole = await WaitForAsync(["logs", "counter"], o => o.Contains("line 3\n", StringComparison.Ordinal));
        var lines = whole.TrimEnd('\n').Split('\n');
        Assert.Equal(Enumerable.Range(1, lines.Length).Select(i => $"line {i}"), lines);
        var tail = (await Kubectl("logs", "counter", "--tail=2")).Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, tail.Length);
        Assert.Equal(Number(tail[0]) + 1, Number(tail[1]));
        var stamped = (await Kubectl("logs", "counter", "--timestamps", "--tail=1")).Stdout;
        Assert.Matches(TimestampedLine(), stamped);
        Assert.Equal("line 1\n", (await Kubectl("logs", "counter", "--limit-bytes=7")).Stdout);
        var recent = (await Kubectl("logs", "counter", "--since=3s")).Stdout.TrimEnd('\n').Split('\n');
        Assert.InRange(recent.Length, 1, 5);

        // -c, and the server's answers where kubectl would choose for itself.
        Assert.Equal("from-b\n", await WaitForAsync(["logs", "two", "-c", "b"], o => o.Length > 0));
        var unnamed = await Kubectl("get", "--raw", "/api/v1/namespaces/default/pods/two/log");
        Assert.NotEqual(0, unnamed.ExitCode);
        Assert.Contains("a container name must be specified for pod two, choose one of: [a b]", unnamed.Stderr);
        var unknown = await Kubectl("get", "--raw", "/api/v1/namespaces/default/pods/two/log?container=nope");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("container nope is not valid for pod two", unknown.Stderr);

        // -f prints lines as they come and ends when the container does.
        File.WriteAllText(_temp["short.yaml"], $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: short}
            spec:
              restartPolicy: Never
              containers:
              - name: app
                image: {{TestImages.BusyboxReference}}
                command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo \"tick $i\"; sleep 1; done"]
            """);
        Assert.Equal(0, (await Kubectl("apply", "-f", _temp["short.yaml"])).ExitCode);
        await WaitForAsync(["logs", "short"], o => o.StartsWith("tick 1\n", StringComparison.Ordinal));
        await using (var follow = kubectl.Start(server.Kubeconfig, "logs", "-f", "short"))
        {
            await follow.WaitForLineAsync(l => l is "tick 1");
            var early = follow.Lines.Count;
            Assert.False(follow.HasExited, $"kubectl logs -f ended after {early} lines:\n{string.Join('\n', follow.Lines)}\n{follow.Errors}");
            await follow.WaitForLineAsync(l => l is "tick 10", TimeSpan.FromSeconds(30));
            Assert.Equal(0, await follow.WaitForExitAsync(TimeSpan.FromSeconds(15)));
            Assert.Equal(Enumerable.Range(1, 10).Select(i => $"tick {i}"), follow.Lines);
            Assert.True(early < 10, "every line was there before -f started: nothing was followed");
        }

        // --previous after a restart.
        await WaitForAsync(["get", "pod", "restarts", "-o", "jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.running.startedAt}"],
            o => o.StartsWith("1 ", StringComparison.Ordinal) && o.Length > 2);
        Assert.Equal("attempt 2\n", await WaitForAsync(["logs", "restarts"], o => o.Length > 0));
        Assert.Equal("attempt 1\n", (await Kubectl("logs", "restarts", "--previous")).Stdout);
        var noPrevious = await Kubectl("logs", "counter", "--previous");
        Assert.NotEqual(0, noPrevious.ExitCode);
        Assert.Contains("previous terminated container \"count\" in pod \"counter\" not found", noPrevious.Stderr);

        // The node's channel is the only way to its logs.
        await node.StopAsync();
        var gone = await WaitForFailureAsync(() => Kubectl("logs", "counter"));
        Assert.Contains("node \"edge-a\" is not connected", gone.Stderr);
    }

    private static async Task<RunResult> WaitForFailureAsync(Func<Task<RunResult>> run)
    {
        var deadline = DateTime.UtcNow + Patience;
        RunResult result;
        do
        {
            result = await run();
            if (result.ExitCode != 0)
            {
                return result;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"still succeeding: {result}");
    }

    private static int Number(string line) => int.Parse(line["line ".Length..], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line \d+\n$")]
    private static partial Regex TimestampedLine();
}
