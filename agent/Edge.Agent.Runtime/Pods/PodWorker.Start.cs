using System.Diagnostics;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.Runtime.Pods.Probes;
using Edge.Agent.Runtime.Pods.Volumes;

namespace Edge.Agent.Runtime.Pods;

public sealed partial class PodWorker
{
    private DateTimeOffset _sandboxRetryAt = DateTimeOffset.MinValue;
    private IReadOnlyDictionary<string, string> _volumePaths = new Dictionary<string, string>();
    private DateTimeOffset _tokensRefreshAt = DateTimeOffset.MaxValue;

    /// <summary>A new sandbox (the first, or after the old one died: then every container starts again in it).</summary>
    private async Task<bool> StartSandboxAsync(PodView pod, NodeDesiredState state, PodSandbox? old, RuntimePod runtime, CancellationToken stop)
    {
        var now = _context.Time.GetUtcNow();
        if (now < _sandboxRetryAt)
        {
            return false;
        }

        if (old is not null)
        {
            _context.Events.Record(Reference, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
            foreach (var running in runtime.Containers.Where(c => c.State == ContainerState.ContainerRunning))
            {
                await _context.Cri.StopContainerAsync(running.Id, pod.GracePeriodSeconds, stop);
            }

            await _context.Cri.StopPodSandboxAsync(old.Id, stop);
        }

        if (!await PrepareVolumesAsync(pod, state, stop))
        {
            return false;
        }

        var attempt = old is null ? 0u : (old.Metadata?.Attempt ?? 0) + 1;
        var config = _context.Sandboxes.Create(pod, attempt);
        Directory.CreateDirectory(config.LogDirectory);
        try
        {
            var id = await _context.Cri.RunPodSandboxAsync(config, stop);
            _podProblem = null;
            _sandboxId = null;
            _context.Log.Info($"pod {pod.FullName}: sandbox {Short(id)} running (attempt {attempt})");
            _acted = true;
            return true;
        }
        catch (CriException e) when (!e.IsUnavailable)
        {
            _podProblem = ("ContainerCreating", e.Detail);
            _sandboxRetryAt = now + TimeSpan.FromSeconds(5);
            _context.Events.Record(Reference, "Warning", "FailedCreatePodSandBox", $"Failed to create pod sandbox: {e.Detail}");
            _context.Log.Warn($"pod {pod.FullName}: sandbox failed: {e.Detail}");
            return false;
        }
    }

    /// <summary>
    /// Volumes set up (again when a ConfigMap or Secret may have changed, or a token is due for
    /// refresh); false with a FailedMount event when one cannot be.
    /// </summary>
    private async Task<bool> PrepareVolumesAsync(PodView pod, NodeDesiredState state, CancellationToken stop)
    {
        try
        {
            var (tokens, refreshAt) = await _context.Tokens.ForPodAsync(pod, stop);
            _volumePaths = _context.Volumes.Prepare(pod, state, Facts(), tokens);
            _volumesRevision = state.Revision;
            _tokensRefreshAt = refreshAt;
            if (_podProblem?.Reason == "FailedMount")
            {
                _podProblem = null;
            }

            return true;
        }
        catch (Exception e) when (e is VolumeException or IOException or UnauthorizedAccessException)
        {
            var first = _podProblem?.Message != e.Message;
            _podProblem = ("FailedMount", e.Message);
            if (first)
            {
                _context.Events.Record(Reference, "Warning", "FailedMount", $"MountVolume.SetUp failed: {e.Message}");
                _context.Log.Warn($"pod {pod.FullName}: {e.Message}");
            }

            return false;
        }
    }

    /// <summary>Init containers one at a time, in order; true once every one has succeeded.</summary>
    private async Task<bool> SyncInitContainersAsync(PodView pod, NodeDesiredState state, RuntimePod runtime, string sandboxId, CancellationToken stop)
    {
        foreach (var init in pod.InitContainers)
        {
            var latest = runtime.LatestOf(init.Name, sandboxId);
            if (latest is null)
            {
                await StartContainerAsync(pod, state, init, isInit: true, NextAttempt(runtime, init.Name), sandboxId, stop);
                return false;
            }

            if (latest.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated)
            {
                return false;
            }

            if (latest.Status.ExitCode == 0)
            {
                continue;
            }

            if (pod.RestartPolicy == "Never")
            {
                _terminal = true;
                return false;
            }

            await RestartIfDueAsync(pod, state, init, latest, isInit: true, sandboxId, stop);
            return false;
        }

        return true;
    }

    private async Task SyncContainersAsync(PodView pod, NodeDesiredState state, RuntimePod runtime, string sandboxId, CancellationToken stop)
    {
        var finished = 0;
        foreach (var container in pod.Containers)
        {
            var latest = runtime.LatestOf(container.Name, sandboxId);
            if (latest is null)
            {
                await StartContainerAsync(pod, state, container, isInit: false, NextAttempt(runtime, container.Name), sandboxId, stop);
                continue;
            }

            switch (latest.State)
            {
                case ContainerState.ContainerRunning:
                    await ProbeAsync(pod, container, latest, stop);
                    break;
                case ContainerState.ContainerCreated:
                    // Created but never started (the agent stopped in between): start it now.
                    await StartCreatedAsync(pod, container, latest.Id, stop);
                    break;
                case ContainerState.ContainerExited:
                    if (ShouldRestart(pod, latest))
                    {
                        await RestartIfDueAsync(pod, state, container, latest, isInit: false, sandboxId, stop);
                    }
                    else
                    {
                        finished++;
                    }

                    break;
            }
        }

        if (pod.Containers.Count > 0 && finished == pod.Containers.Count)
        {
            _terminal = true;
        }
    }

    private static bool ShouldRestart(PodView pod, RuntimeContainer exited) => pod.RestartPolicy switch
    {
        "Never" => false,
        "OnFailure" => exited.Status.ExitCode != 0,
        _ => true,
    };

    private static uint NextAttempt(RuntimePod runtime, string name) =>
        runtime.LatestOf(name, null) is { } previous ? previous.Attempt + 1 : 0;

    private async Task RestartIfDueAsync(PodView pod, NodeDesiredState state, ContainerView container, RuntimeContainer exited, bool isInit, string sandboxId, CancellationToken stop)
    {
        var key = container.Name;
        var now = _context.Time.GetUtcNow();
        var due = _restarts.NextStart(key, exited.FinishedAt, exited.StartedAt);
        if (now < due)
        {
            var wait = (due - exited.FinishedAt).TotalSeconds;
            var message = $"back-off {FormatSeconds(wait)} restarting failed container={container.Name} pod={pod.Name}_{pod.Namespace}({pod.Uid})";
            if (_waiting.GetValueOrDefault(key).Reason != "CrashLoopBackOff")
            {
                _context.Events.Record(Reference, "Warning", "BackOff", "Back-off restarting failed container " + container.Name + " in pod " + pod.Name + "_" + pod.Namespace + "(" + pod.Uid + ")", FieldPath(container, isInit));
            }

            _waiting[key] = ("CrashLoopBackOff", message);
            return;
        }

        _restarts.Restarted(key, exited.FinishedAt, exited.StartedAt);
        await StartContainerAsync(pod, state, container, isInit, exited.Attempt + 1, sandboxId, stop);
    }

    private static string FormatSeconds(double seconds) =>
        seconds >= 60 ? $"{(int)(seconds / 60)}m{(int)(seconds % 60)}s" : $"{(int)seconds}s";

    private async Task StartContainerAsync(PodView pod, NodeDesiredState state, ContainerView container, bool isInit, uint attempt, string sandboxId, CancellationToken stop)
    {
        var key = container.Name;
        var fieldPath = FieldPath(container, isInit);
        var now = _context.Time.GetUtcNow();
        if (_pullRetryAt.TryGetValue(key, out var retryAt) && now < retryAt)
        {
            _waiting[key] = ("ImagePullBackOff", $"Back-off pulling image \"{container.Image}\"");
            return;
        }

        string imageRef;
        try
        {
            var watch = Stopwatch.StartNew();
            (imageRef, var pulled) = await _context.Images.EnsureAsync(
                pod, container, state, () => _context.Events.Record(Reference, "Normal", "Pulling", $"Pulling image \"{container.Image}\"", fieldPath), stop);
            _context.Events.Record(Reference, "Normal", "Pulled", pulled
                ? $"Successfully pulled image \"{container.Image}\" in {watch.Elapsed.TotalSeconds:0.###}s"
                : $"Container image \"{container.Image}\" already present on machine", fieldPath);
            _pulls.Forget(key);
            _pullRetryAt.Remove(key);
        }
        catch (ImagePullException e)
        {
            _waiting[key] = (e.Reason, e.Message);
            _pulls.Restarted(key, now, now);
            _pullRetryAt[key] = _pulls.NextStart(key, now, now);
            _context.Events.Record(Reference, "Warning", "Failed", $"Failed to pull image \"{container.Image}\": {e.Message}", fieldPath);
            _context.Events.Record(Reference, "Warning", "Failed", $"Error: {e.Reason}", fieldPath);
            return;
        }

        ContainerConfig config;
        try
        {
            config = ContainerConfigFactory.Create(pod, container, isInit, attempt, imageRef, state, Facts(), _volumePaths);
        }
        catch (ContainerConfigException e)
        {
            if (_waiting.GetValueOrDefault(key).Message != e.Message)
            {
                _context.Events.Record(Reference, "Warning", "Failed", $"Error: {e.Message}", fieldPath);
            }

            _waiting[key] = ("CreateContainerConfigError", e.Message);
            return;
        }

        var sandboxConfig = _context.Sandboxes.Create(pod, 0);
        Directory.CreateDirectory(Path.Combine(sandboxConfig.LogDirectory, container.Name));
        string id;
        try
        {
            id = await _context.Cri.CreateContainerAsync(sandboxId, config, sandboxConfig, stop);
        }
        catch (CriException e) when (!e.IsUnavailable)
        {
            _waiting[key] = ("CreateContainerError", e.Detail);
            _context.Events.Record(Reference, "Warning", "Failed", $"Error: {e.Detail}", fieldPath);
            return;
        }

        _context.Events.Record(Reference, "Normal", "Created", $"Created container {container.Name}", fieldPath);
        _acted = true;
        _waiting.Remove(key);
        await StartCreatedAsync(pod, container, id, stop);
    }

    private async Task StartCreatedAsync(PodView pod, ContainerView container, string id, CancellationToken stop)
    {
        var fieldPath = FieldPath(container, pod.InitContainers.Contains(container));
        try
        {
            await _context.Cri.StartContainerAsync(id, stop);
        }
        catch (CriException e) when (!e.IsUnavailable)
        {
            // The runtime keeps the container as exited ("StartError"); the restart policy takes it from there.
            _context.Events.Record(Reference, "Warning", "Failed", $"Error: {e.Detail}", fieldPath);
            _context.Log.Warn($"pod {pod.FullName}: container {container.Name} did not start: {e.Detail}");
            _acted = true;
            return;
        }

        _acted = true;
        _context.Events.Record(Reference, "Normal", "Started", $"Started container {container.Name}", fieldPath);
        _context.Log.Info($"pod {pod.FullName}: container {container.Name} started ({Short(id)})");
        await RunPostStartAsync(pod, container, id, stop);
    }

    /// <summary>Keeps, per container, the running instance and the one before it (for <c>--previous</c>); removes the rest and old sandboxes.</summary>
    private async Task RemoveOldInstancesAsync(PodView pod, RuntimePod runtime, string sandboxId, CancellationToken stop)
    {
        foreach (var group in runtime.Containers.GroupBy(c => c.Name))
        {
            var keep = group.OrderByDescending(c => c.Attempt).Take(2).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var old in group.Where(c => !keep.Contains(c.Id) && c.State == ContainerState.ContainerExited))
            {
                await _context.Cri.RemoveContainerAsync(old.Id, stop);
            }
        }

        foreach (var old in runtime.Sandboxes.Where(s => s.Id != sandboxId && runtime.Containers.All(c => c.SandboxId != s.Id)))
        {
            await _context.Cri.StopPodSandboxAsync(old.Id, stop);
            await _context.Cri.RemovePodSandboxAsync(old.Id, stop);
        }
    }

    internal static string FieldPath(ContainerView container, bool isInit) =>
        isInit ? $"spec.initContainers{{{container.Name}}}" : $"spec.containers{{{container.Name}}}";

    internal static string Short(string id) => id.Length > 13 ? id[..13] : id;
}
