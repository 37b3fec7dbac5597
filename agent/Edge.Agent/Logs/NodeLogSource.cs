using System.Globalization;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Logs;
using Edge.Agent.Runtime.Pods;
using Edge.NodeChannel.V1;

namespace Edge.Agent.Logs;

/// <summary>
/// Logs as kubelet finds them: the pod's log directory (<c>&lt;pod logs dir&gt;/&lt;ns&gt;_&lt;name&gt;_&lt;uid&gt;</c>,
/// where the sandbox config puts it), the newest attempt's file or the one before it, and CRI to
/// tell whether that attempt still runs. Upstream's messages when there is no file.
/// </summary>
/// <param name="cri">The runtime's CRI client, null while the runtime is not up (files are still served).</param>
public sealed class NodeLogSource(string podLogsDir, Func<CriClient?> cri) : IContainerLogSource
{
    public Task<ContainerLogFile> OpenAsync(LogRequest request, CancellationToken cancellationToken)
    {
        var pod = request.Pod;
        var directory = SandboxConfigFactory.LogDirectory(podLogsDir, pod.Namespace, pod.Name, pod.Uid);
        var path = ContainerLogs.FindFile(directory, request.Container, request.Previous)
            ?? throw new LogUnavailableException(400, request.Previous
                ? $"previous terminated container \"{request.Container}\" in pod \"{pod.Name}\" not found"
                : $"container \"{request.Container}\" in pod \"{pod.Name}\" is waiting to start - no logs yet");
        if (!request.Follow || request.Previous)
        {
            return Task.FromResult(new ContainerLogFile(path, _ => Task.FromResult(false)));
        }

        var attempt = uint.Parse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture);
        return Task.FromResult(new ContainerLogFile(path, token => IsRunningAsync(pod.Uid, request.Container, attempt, token)));
    }

    /// <summary>Whether the instance that writes this file runs; a runtime that cannot answer right now does not end a follow.</summary>
    private async Task<bool> IsRunningAsync(string uid, string container, uint attempt, CancellationToken cancellationToken)
    {
        if (cri() is not { } client)
        {
            return true;
        }

        try
        {
            var containers = await client.ListContainersAsync(new Dictionary<string, string>
            {
                [CriLabels.PodUid] = uid,
                [CriLabels.ContainerName] = container,
            }, cancellationToken);
            return containers.Any(c => (c.Metadata?.Attempt ?? 0) == attempt && c.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated);
        }
        catch (CriException)
        {
            return true;
        }
    }
}
