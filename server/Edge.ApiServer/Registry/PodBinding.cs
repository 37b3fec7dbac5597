using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Requests;

namespace Edge.ApiServer.Registry;

/// <summary><c>pods/binding</c>: the scheduler's assignment of a pod to a node, once.</summary>
public static class PodBinding
{
    public static Task BindAsync(ObjectRegistry registry, string ns, string name, string? uid, string node, CancellationToken cancellationToken) =>
        BindAsync(registry, ns, name, uid, node, new WriteOptions(), cancellationToken);

    public static async Task BindAsync(
        ObjectRegistry registry, string ns, string name, string? uid, string node, WriteOptions options, CancellationToken cancellationToken)
    {
        var pods = KnownResources.Pods;
        await registry.UpdateWithAsync(pods, ns, name, null, pod =>
        {
            if (!string.IsNullOrEmpty(uid) && pod.Uid() != uid)
            {
                throw ApiException.Conflict(pods, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {pod.Uid()}");
            }

            if (ObjectFields.String(pod["spec"], "nodeName") is { Length: > 0 } bound)
            {
                throw ApiException.Conflict(pods, name, $"pod {name} is already assigned to node \"{bound}\"");
            }

            if (pod.DeletionTimestamp() is not null)
            {
                throw ApiException.Conflict(pods, name, $"pod {name} is being deleted, cannot be assigned to a host");
            }

            pod["spec"]!["nodeName"] = node;
            return pod;
        }, options, cancellationToken);
    }
}
