using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Resources;
using Microsoft.Extensions.Logging;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// The index follows the four RBAC kinds through the in-process client: a list, then the watch
/// cache's changes from the list's revision, so a write is visible within milliseconds; on 410
/// (or any failure) it lists again.
/// </summary>
public sealed partial class RbacAuthorizer : IAsyncDisposable
{
    private static readonly ResourceType[] Kinds = [ClusterRoles, Roles, ClusterRoleBindings, RoleBindings];

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task _followers = Task.CompletedTask;

    /// <summary>Completes once every kind has been listed: before that the index may answer no opinion for a user who is allowed.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Starts following the API (the watch cache must be started). Await <see cref="Ready"/> before serving.</summary>
    public void Start()
    {
        if (_client is null)
        {
            _ready.TrySetResult();
            return;
        }

        var listed = new Task[Kinds.Length];
        var followers = new Task[Kinds.Length];
        for (var i = 0; i < Kinds.Length; i++)
        {
            var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            listed[i] = first.Task;
            var resource = Kinds[i];
            followers[i] = Task.Run(() => FollowAsync(_client, resource, first, _stop.Token));
        }

        _followers = Task.WhenAll(followers);
        _ = Task.WhenAll(listed).ContinueWith(_ => _ready.TrySetResult(), TaskScheduler.Default);
    }

    private async Task FollowAsync(IClusterClient client, ResourceType resource, TaskCompletionSource listed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await client.ListAsync(resource, null, cancellationToken);
                Reset(resource, list.Items);
                listed.TrySetResult();
                await foreach (var change in client.WatchAsync(resource, null, list.Revision, cancellationToken))
                {
                    if (change.Type == ObjectEventType.Deleted)
                    {
                        Forget(resource, change.Object);
                    }
                    else
                    {
                        Observe(resource, change.Object);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ApiException e) when (e.Status.Code == 410)
            {
                // Fell behind or history compacted: list again at once.
            }
            catch (Exception e)
            {
                if (_logger is not null)
                {
                    RbacLog.FollowFailed(_logger, resource.GroupResource, e.Message);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _followers.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}

internal static partial class RbacLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "RBAC index: following {Resource} failed, retrying: {Reason}")]
    public static partial void FollowFailed(ILogger logger, string resource, string reason);
}
