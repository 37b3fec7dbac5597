using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Patching;
using Edge.Api.Resources;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Edge.NodeChannel.V1;

namespace Edge.Server.NodeHub;

/// <summary>
/// The writes a node makes over its channel, through the registry with the rules its API requests
/// would meet: the node authorizer decides (a node touches only pods bound to itself), a status is
/// merged into the pod it was observed on (uid-guarded, so a status of a replaced pod is refused),
/// and a confirmed deletion removes a terminating pod with grace period 0 and a uid precondition,
/// as a kubelet does. Each returns null or the failure to report to the agent; none throws but
/// for cancellation.
/// </summary>
public sealed class NodeStatusWriter(ObjectRegistry registry, IAuthorizer nodeAuthorizer)
{
    private static readonly WriteOptions Writes = new() { FieldValidation = FieldValidation.Ignore };

    public async Task<WriteFailure?> WriteStatusAsync(UserInfo node, PodStatus update, CancellationToken cancellationToken)
    {
        var pod = new ObjectRef { Namespace = update.Namespace, Name = update.Name, Uid = update.Uid };
        try
        {
            await AuthorizeAsync(node, "patch", "status", update.Namespace, update.Name, cancellationToken);
            var status = JsonNode.Parse(update.StatusJson.Span) as JsonObject ?? throw ApiException.BadRequest("the status must be a JSON object");
            var patch = new JsonObject { ["status"] = status };
            await registry.UpdateWithAsync(KnownResources.Pods, update.Namespace, update.Name, "status", current =>
            {
                Guard(current, node.NodeName!, update.Uid);
                return JsonMergePatch.Apply(current, patch) as JsonObject ?? throw ApiException.BadRequest("the status patch must leave an object");
            }, Writes, cancellationToken);
            return null;
        }
        catch (JsonException e)
        {
            return Failure(pod, 400, $"the status is not JSON: {e.Message}");
        }
        catch (ApiException e)
        {
            return Failure(pod, e.Status.Code, e.Status.Message ?? e.Message);
        }
    }

    public async Task<WriteFailure?> ConfirmDeletedAsync(UserInfo node, ObjectRef pod, CancellationToken cancellationToken)
    {
        try
        {
            JsonObject current;
            try
            {
                current = await registry.GetAsync(KnownResources.Pods, pod.Namespace, pod.Name, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code == 404)
            {
                // Already gone (a confirmation sent again after a reconnect): what was asked holds.
                return null;
            }

            await AuthorizeAsync(node, "delete", "", pod.Namespace, pod.Name, cancellationToken);
            Guard(current, node.NodeName!, pod.Uid);
            if (current.DeletionTimestamp() is null)
            {
                // A kubelet removes only pods the API asked it to stop; a pod whose containers
                // merely exited (restartPolicy Never) stays to show how it ended.
                throw ApiException.Conflict(KnownResources.Pods, pod.Name, "the pod is not being deleted; a node removes only terminating pods");
            }

            await registry.DeleteAsync(KnownResources.Pods, pod.Namespace, pod.Name, new DeleteOptions
            {
                GracePeriodSeconds = 0,
                PreconditionUid = pod.Uid,
            }, cancellationToken);
            return null;
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            return null;
        }
        catch (ApiException e)
        {
            return Failure(pod, e.Status.Code, e.Status.Message ?? e.Message);
        }
    }

    private async Task AuthorizeAsync(UserInfo node, string verb, string subresource, string ns, string name, CancellationToken cancellationToken)
    {
        var decision = await nodeAuthorizer.AuthorizeAsync(new AuthorizationAttributes
        {
            User = node,
            Verb = verb,
            IsResourceRequest = true,
            ApiVersion = "v1",
            Resource = "pods",
            Subresource = subresource,
            Namespace = ns,
            Name = name,
        }, cancellationToken);
        if (decision.Decision != AuthorizationDecision.Allow)
        {
            throw ApiException.Forbidden(KnownResources.Pods, name, decision.Reason.Length > 0 ? decision.Reason : $"node '{node.NodeName}' may not {verb} this pod");
        }
    }

    /// <summary>Checked again on the object about to be written: the authorizer read it earlier.</summary>
    private static void Guard(JsonObject current, string node, string uid)
    {
        if (current.Uid() != uid)
        {
            throw ApiException.Conflict(KnownResources.Pods, current.Name() ?? "",
                $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}");
        }

        if (ObjectFields.PathText(current, "spec.nodeName") != node)
        {
            throw ApiException.Forbidden(KnownResources.Pods, current.Name() ?? "", $"node '{node}': the pod is not bound to this node");
        }
    }

    private static WriteFailure Failure(ObjectRef pod, int code, string message) => new() { Pod = pod, Code = code, Message = message };
}
