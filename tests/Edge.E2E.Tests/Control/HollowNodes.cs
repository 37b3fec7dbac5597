using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Edge.E2E.Tests.Control;

/// <summary>
/// Test nodes that stand in for agents, written through the API as an agent would: each registers
/// its Node (capacity, Ready condition) and renews its Lease every second; a kubelet loop makes
/// the pods bound to it Running and Ready, and finishes their graceful deletion. <see cref="Stop"/>
/// pulls a node's power: no more heartbeats, no more pod updates.
/// </summary>
public sealed class HollowNodes : IAsyncDisposable
{
    private readonly Kubernetes _client;
    private readonly ConcurrentDictionary<string, bool> _running = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private HollowNodes(Kubernetes client)
    {
        _client = client;
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    public static async Task<HollowNodes> StartAsync(Kubernetes client, IEnumerable<string> names, IDictionary<string, string>? labels = null)
    {
        var nodes = new HollowNodes(client);
        foreach (var name in names)
        {
            await nodes.AddAsync(name, labels);
        }

        return nodes;
    }

    public async Task AddAsync(string name, IDictionary<string, string>? labels = null)
    {
        var now = DateTime.UtcNow;
        var allLabels = new Dictionary<string, string>
        {
            ["kubernetes.io/hostname"] = name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
        };
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            allLabels[key] = value;
        }

        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new("4"),
            ["memory"] = new("8Gi"),
            ["pods"] = new("110"),
            ["ephemeral-storage"] = new("20Gi"),
        };
        await _client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = allLabels },
            Status = new V1NodeStatus
            {
                Capacity = resources,
                Allocatable = resources,
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "hollow kubelet is posting ready status", LastHeartbeatTime = now, LastTransitionTime = now }],
                Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "127.0.0.1" }],
            },
        });
        await _client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1LeaseSpec { HolderIdentity = name, LeaseDurationSeconds = 40, RenewTime = now },
        }, "kube-node-lease");
        _running[name] = true;
    }

    /// <summary>The node loses power: its Lease is no longer renewed and its pods no longer looked after.</summary>
    public void Stop(string name) => _running[name] = false;

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var lastRenewal = DateTime.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (DateTime.UtcNow - lastRenewal > TimeSpan.FromSeconds(1))
                {
                    lastRenewal = DateTime.UtcNow;
                    foreach (var (name, running) in _running)
                    {
                        if (running)
                        {
                            await _client.CoordinationV1.PatchNamespacedLeaseAsync(
                                new V1Patch($$$"""{"spec":{"renewTime":"{{{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}}}"} }""", V1Patch.PatchType.MergePatch),
                                name, "kube-node-lease", cancellationToken: cancellationToken);
                        }
                    }
                }

                foreach (var pod in (await _client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: cancellationToken)).Items)
                {
                    if (pod.Spec.NodeName is not { } node || !_running.TryGetValue(node, out var running) || !running)
                    {
                        continue;
                    }

                    if (pod.Metadata.DeletionTimestamp is not null)
                    {
                        // The containers stopped: the kubelet's final delete.
                        await IgnoreGoneAsync(_client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                            new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: cancellationToken));
                    }
                    else if (pod.Status?.Phase is null or "Pending")
                    {
                        var now = $"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}";
                        var image = pod.Spec.Containers[0].Image;
                        await IgnoreGoneAsync(_client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch($$$"""
                            {"status":{"phase":"Running","startTime":"{{{now}}}","podIP":"10.42.0.9",
                              "conditions":[{"type":"PodScheduled","status":"True","lastTransitionTime":"{{{now}}}"},
                                            {"type":"Initialized","status":"True","lastTransitionTime":"{{{now}}}"},
                                            {"type":"ContainersReady","status":"True","lastTransitionTime":"{{{now}}}"},
                                            {"type":"Ready","status":"True","lastTransitionTime":"{{{now}}}"}],
                              "containerStatuses":[{"name":"{{{pod.Spec.Containers[0].Name}}}","image":"{{{image}}}","imageID":"","ready":true,"started":true,"restartCount":0,"state":{"running":{"startedAt":"{{{now}}}"} } }]} }
                            """, V1Patch.PatchType.MergePatch), pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken));
                    }
                }

                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode is 404 or 409)
            {
                // Raced with a controller: the next round looks again.
            }
        }
    }

    private static async Task IgnoreGoneAsync<T>(Task<T> call)
    {
        try
        {
            await call;
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode is 404 or 409)
        {
            // Gone or changed meanwhile.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
