using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Cri.V1;

namespace Edge.Agent.Runtime.Pods;

public sealed partial class PodWorker
{
    /// <summary>
    /// Stops every container within the grace period (preStop first, in parallel across containers),
    /// then removes containers, sandboxes, volumes, the pod's cgroups and logs; reports the final
    /// status and confirms the deletion when the server asked for it.
    /// </summary>
    private async Task TerminateAsync(PodView pod, RuntimePod runtime, bool confirm, CancellationToken stop)
    {
        var grace = Math.Max(0, pod.GracePeriodSeconds);
        var running = runtime.Containers.Where(c => c.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated).ToArray();
        if (running.Length > 0)
        {
            _context.Log.Info($"pod {pod.FullName}: stopping {running.Length} container(s) with a grace period of {grace} s");
        }

        await Task.WhenAll(running.Select(async c =>
        {
            var spec = pod.Containers.Concat(pod.InitContainers).FirstOrDefault(s => s.Name == c.Name);
            if (spec is not null)
            {
                _context.Events.Record(Reference, "Normal", "Killing", $"Stopping container {c.Name}", FieldPath(spec, c.IsInit));
                await RunPreStopAsync(spec, c.Id, grace, stop);
            }

            await _context.Cri.StopContainerAsync(c.Id, grace, stop);
        }));

        foreach (var sandbox in runtime.Sandboxes)
        {
            await _context.Cri.StopPodSandboxAsync(sandbox.Id, stop);
        }

        if (confirm)
        {
            // The last word on the containers before the object goes: terminated, with exit codes.
            _terminal = true;
            await ReportAsync(pod, await ObserveAsync(stop), stop);
        }

        var after = await ObserveAsync(stop);
        foreach (var container in after.Containers)
        {
            await IgnoreNotFound(_context.Cri.RemoveContainerAsync(container.Id, stop));
        }

        foreach (var sandbox in after.Sandboxes)
        {
            await IgnoreNotFound(_context.Cri.RemovePodSandboxAsync(sandbox.Id, stop));
        }

        _context.Volumes.Remove(pod.Uid);
        _context.Tokens.Forget(pod.Uid);
        foreach (var left in await PodCgroups.RemoveAsync(_context.Options.CgroupFsRoot, _context.Options.CgroupRoot, pod.Uid, stop))
        {
            _context.Log.Warn($"pod {pod.FullName}: cgroup {left} is still in use; left in place");
        }

        var logs = _context.Sandboxes.LogDirectory(pod);
        if (Directory.Exists(logs))
        {
            Directory.Delete(logs, recursive: true);
        }

        _context.Log.Info($"pod {pod.FullName}: stopped and removed");
        if (confirm)
        {
            await _context.Status.ConfirmDeletedAsync(pod.Namespace, pod.Name, pod.Uid, stop);
        }
    }

    /// <summary>Hard eviction: no grace period, as kubelet's hard thresholds; the status says why.</summary>
    private async Task EvictAsync(PodView pod, RuntimePod runtime, CancellationToken stop)
    {
        _context.Log.Warn($"pod {pod.FullName}: evicting: {_evicted}");
        _context.Events.Record(Reference, "Warning", "Evicted", _evicted!);
        foreach (var container in runtime.Containers.Where(c => c.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated))
        {
            _context.Events.Record(Reference, "Normal", "Killing", $"Stopping container {container.Name}");
            await _context.Cri.StopContainerAsync(container.Id, 0, stop);
        }

        foreach (var sandbox in runtime.Sandboxes)
        {
            await _context.Cri.StopPodSandboxAsync(sandbox.Id, stop);
        }

        _terminal = true;
        await ReportAsync(pod, await ObserveAsync(stop), stop);
    }

    private static async Task IgnoreNotFound(Task call)
    {
        try
        {
            await call;
        }
        catch (CriException e) when (e.IsNotFound)
        {
            // Already gone: removal is idempotent.
        }
    }
}
