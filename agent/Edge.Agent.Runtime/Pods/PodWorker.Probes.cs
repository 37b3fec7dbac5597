using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Pods.Probes;

namespace Edge.Agent.Runtime.Pods;

public sealed partial class PodWorker
{
    /// <summary>
    /// The running container's probes that are due: the startup probe gates the other two; a failed
    /// startup or liveness verdict stops the container (the restart policy restarts it); readiness
    /// only decides <c>ready</c>.
    /// </summary>
    private async Task ProbeAsync(PodView pod, ContainerView container, RuntimeContainer running, CancellationToken stop)
    {
        if (container.StartupProbe is null && container.LivenessProbe is null && container.ReadinessProbe is null)
        {
            return;
        }

        if (!_probes.TryGetValue(running.Id, out var probes))
        {
            var started = running.StartedAt;
            probes = new ContainerProbes(
                container.StartupProbe is { } s ? new ProbeState("Startup", s, started) : null,
                container.LivenessProbe is { } l ? new ProbeState("Liveness", l, started) : null,
                container.ReadinessProbe is { } r ? new ProbeState("Readiness", r, started) : null);
            _probes[running.Id] = probes;
        }

        var now = _context.Time.GetUtcNow();
        var fieldPath = FieldPath(container, isInit: false);
        if (probes.Startup is { } startup && startup.Passing != true)
        {
            if (!startup.Due(now))
            {
                return;
            }

            var result = await _context.Probes.RunAsync(startup.Probe, container, running.Id, _sandboxIp ?? "", stop);
            startup.Record(result, now);
            if (!result.Ok)
            {
                _context.Events.Record(Reference, "Warning", "Unhealthy", $"Startup probe failed: {result.Message}", fieldPath);
            }

            if (startup.Passing == false)
            {
                await KillForProbeAsync(pod, container, running, "startup", stop);
            }

            return;
        }

        if (probes.Liveness is { } liveness && liveness.Due(now))
        {
            var result = await _context.Probes.RunAsync(liveness.Probe, container, running.Id, _sandboxIp ?? "", stop);
            liveness.Record(result, now);
            if (!result.Ok)
            {
                _context.Events.Record(Reference, "Warning", "Unhealthy", $"Liveness probe failed: {result.Message}", fieldPath);
            }

            if (liveness.Passing == false)
            {
                await KillForProbeAsync(pod, container, running, "liveness", stop);
                return;
            }
        }

        if (probes.Readiness is { } readiness && readiness.Due(now))
        {
            var result = await _context.Probes.RunAsync(readiness.Probe, container, running.Id, _sandboxIp ?? "", stop);
            readiness.Record(result, now);
            if (!result.Ok)
            {
                _context.Events.Record(Reference, "Warning", "Unhealthy", $"Readiness probe failed: {result.Message}", fieldPath);
            }
        }
    }

    private async Task KillForProbeAsync(PodView pod, ContainerView container, RuntimeContainer running, string probe, CancellationToken stop)
    {
        var fieldPath = FieldPath(container, isInit: false);
        _context.Events.Record(Reference, "Normal", "Killing", $"Container {container.Name} failed {probe} probe, will be restarted", fieldPath);
        _context.Log.Info($"pod {pod.FullName}: container {container.Name} failed its {probe} probe; restarting it");
        await RunPreStopAsync(container, running.Id, pod.TerminationGracePeriodSeconds, stop);
        await _context.Cri.StopContainerAsync(running.Id, pod.TerminationGracePeriodSeconds, stop);
        _probes.Remove(running.Id);
        _acted = true;
    }

    /// <summary>Whether the container counts as ready: running, started, and its readiness probe (if any) passing.</summary>
    private bool IsReady(ContainerView container, RuntimeContainer? latest)
    {
        if (latest?.State != Cri.V1.ContainerState.ContainerRunning)
        {
            return false;
        }

        if (!_probes.TryGetValue(latest.Id, out var probes))
        {
            return container.ReadinessProbe is null && container.StartupProbe is null;
        }

        return (probes.Startup is null || probes.Startup.Passing == true)
            && (probes.Readiness is null || probes.Readiness.Passing == true);
    }

    private bool IsStarted(ContainerView container, RuntimeContainer? latest) =>
        latest?.State == Cri.V1.ContainerState.ContainerRunning
        && (container.StartupProbe is null || (_probes.TryGetValue(latest.Id, out var p) && p.Startup?.Passing == true));

    /// <summary>postStart: exec only (an HTTP hook needs the same handler as a probe); a failure kills the container, as upstream.</summary>
    private async Task RunPostStartAsync(PodView pod, ContainerView container, string id, CancellationToken stop)
    {
        if (container.Lifecycle?["postStart"] is not JsonObject hook)
        {
            return;
        }

        var result = await RunHookAsync(hook, container, id, TimeSpan.FromSeconds(pod.TerminationGracePeriodSeconds > 0 ? pod.TerminationGracePeriodSeconds : 30), stop);
        if (!result.Ok)
        {
            _context.Events.Record(Reference, "Warning", "FailedPostStartHook", $"PostStartHook failed: {result.Message}", FieldPath(container, false));
            await _context.Cri.StopContainerAsync(id, pod.TerminationGracePeriodSeconds, stop);
        }
    }

    /// <summary>preStop, bounded by the grace period; its failure is recorded and the stop goes on.</summary>
    private async Task RunPreStopAsync(ContainerView container, string id, long graceSeconds, CancellationToken stop)
    {
        if (container.Lifecycle?["preStop"] is not JsonObject hook || graceSeconds <= 0)
        {
            return;
        }

        var result = await RunHookAsync(hook, container, id, TimeSpan.FromSeconds(graceSeconds), stop);
        if (!result.Ok)
        {
            _context.Events.Record(Reference, "Warning", "FailedPreStopHook", $"PreStopHook failed: {result.Message}", FieldPath(container, false));
        }
    }

    private async Task<ProbeResult> RunHookAsync(JsonObject hook, ContainerView container, string id, TimeSpan timeout, CancellationToken stop)
    {
        if (hook["sleep"] is JsonObject sleep)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(PodView.Long(sleep, "seconds") ?? 0, timeout.TotalSeconds)), _context.Time, stop);
            return ProbeResult.Success;
        }

        var probe = hook.DeepClone().AsObject();
        probe["timeoutSeconds"] = (long)Math.Max(1, timeout.TotalSeconds);
        try
        {
            return await _context.Probes.RunAsync(probe, container, id, _sandboxIp ?? "", stop);
        }
        catch (CriException e)
        {
            return ProbeResult.Failure(e.Detail);
        }
    }
}
