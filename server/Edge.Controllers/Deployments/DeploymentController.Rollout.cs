using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;

namespace Edge.Controllers.Deployments;

public sealed partial class DeploymentController
{
    private const int DefaultRevisionHistoryLimit = 10;
    private const int DefaultProgressDeadlineSeconds = 600;

    /// <summary>RollingUpdate: grow the new set within maxSurge, shrink old ones within maxUnavailable (upstream <c>rolloutRolling</c>).</summary>
    private async Task RollAsync(Rollout state, CancellationToken cancellationToken)
    {
        var d = state.Deployment;
        await GetOrCreateNewAsync(state, create: true, cancellationToken);
        if (state.New is null)
        {
            return;
        }

        var (surge, unavailable) = Limits(d);
        var wanted = Replicas(d);

        // Grow the new set as far as the surge allows.
        var newReplicas = Replicas(state.New);
        int target;
        if (newReplicas > wanted)
        {
            target = wanted;
        }
        else
        {
            var current = state.All.Sum(Replicas);
            target = newReplicas + Math.Max(0, Math.Min(wanted + surge - current, wanted - newReplicas));
        }

        if (target != newReplicas)
        {
            await ScaleAsync(state, state.New, target, cancellationToken);
            await StatusAsync(state, cancellationToken);
            return;
        }

        if (await ScaleDownOldAsync(state, unavailable, cancellationToken))
        {
            await StatusAsync(state, cancellationToken);
            return;
        }

        if (IsComplete(state))
        {
            await CleanupAsync(state, cancellationToken);
        }

        await StatusAsync(state, cancellationToken);
    }

    /// <summary>Shrinks old sets: unavailable replicas first, then available ones down to the floor of availability.</summary>
    private async Task<bool> ScaleDownOldAsync(Rollout state, int maxUnavailable, CancellationToken cancellationToken)
    {
        var d = state.Deployment;
        var old = state.Old.Where(rs => Replicas(rs) > 0).ToList();
        if (old.Count == 0)
        {
            return false;
        }

        var minAvailable = Replicas(d) - maxUnavailable;
        var newUnavailable = Replicas(state.New!) - StatusCount(state.New, "availableReplicas");
        var budget = state.All.Sum(Replicas) - minAvailable - newUnavailable;
        if (budget <= 0)
        {
            return false;
        }

        var scaled = false;
        // Replicas that are not available anyway cost nothing to remove.
        foreach (var rs in old)
        {
            if (budget <= 0)
            {
                break;
            }

            var unhealthy = Replicas(rs) - StatusCount(rs, "availableReplicas");
            if (unhealthy <= 0)
            {
                continue;
            }

            var cut = Math.Min(unhealthy, budget);
            budget -= cut;
            await ScaleAsync(state, rs, Replicas(rs) - cut, cancellationToken);
            scaled = true;
        }

        var available = state.All.Sum(rs => StatusCount(rs, "availableReplicas"));
        var removable = Math.Min(available - minAvailable, budget);
        foreach (var rs in state.Old.Where(rs => Replicas(rs) > 0).ToList())
        {
            if (removable <= 0)
            {
                break;
            }

            var cut = Math.Min(Replicas(rs), removable);
            removable -= cut;
            await ScaleAsync(state, rs, Replicas(rs) - cut, cancellationToken);
            scaled = true;
        }

        return scaled;
    }

    /// <summary>Recreate: every old set to zero, wait until their pods are gone, then the new set to full size.</summary>
    private async Task RecreateAsync(Rollout state, CancellationToken cancellationToken)
    {
        await GetOrCreateNewAsync(state, create: false, cancellationToken);
        var scaledDown = false;
        foreach (var rs in state.Old.Where(rs => Replicas(rs) > 0).ToList())
        {
            await ScaleAsync(state, rs, 0, cancellationToken);
            scaledDown = true;
        }

        if (scaledDown)
        {
            await StatusAsync(state, cancellationToken);
            return;
        }

        var oldUids = state.Old.Select(rs => rs.Uid()).ToHashSet();
        var oldRunning = _pods.List(state.Deployment.Namespace())
            .Any(p => !PodState.IsTerminal(p) && Owners.ControllerOf(p) is { } r && oldUids.Contains(ObjectFields.String(r, "uid")));
        if (oldRunning)
        {
            await StatusAsync(state, cancellationToken);
            return;
        }

        await GetOrCreateNewAsync(state, create: true, cancellationToken);
        if (state.New is not null && Replicas(state.New) != Replicas(state.Deployment))
        {
            await ScaleAsync(state, state.New, Replicas(state.Deployment), cancellationToken);
        }

        if (IsComplete(state))
        {
            await CleanupAsync(state, cancellationToken);
        }

        await StatusAsync(state, cancellationToken);
    }

    /// <summary>Paused: no rollout, but a change of replicas still scales (new set first, else the largest old one).</summary>
    private async Task SyncAsync(Rollout state, CancellationToken cancellationToken)
    {
        await GetOrCreateNewAsync(state, create: false, cancellationToken);
        var active = state.All.Where(rs => Replicas(rs) > 0).ToList();
        var wanted = Replicas(state.Deployment);
        var total = active.Sum(Replicas);
        if (total != wanted)
        {
            var target = state.New ?? active.OrderByDescending(Replicas).FirstOrDefault();
            if (target is not null)
            {
                await ScaleAsync(state, target, Math.Max(0, Replicas(target) + wanted - total), cancellationToken);
            }
        }

        await CleanupAsync(state, cancellationToken);
        await StatusAsync(state, cancellationToken);
    }

    /// <summary>
    /// Finds the ReplicaSet of the current template and makes its revision the newest (a rollback
    /// to an old template renumbers that set); creates it when asked. A name taken by a different
    /// template is a hash collision: the Deployment's collisionCount goes up and the next pass
    /// hashes differently.
    /// </summary>
    private async Task GetOrCreateNewAsync(Rollout state, bool create, CancellationToken cancellationToken)
    {
        var d = state.Deployment;
        var newRevision = (state.Old.Count == 0 ? 0 : state.Old.Max(Revision)) + 1;
        var (surge, _) = Limits(d);
        if (state.New is { } existing)
        {
            if (Revision(existing) < newRevision || ObjectFields.Long(existing["spec"], "minReadySeconds") != ObjectFields.Long(d["spec"], "minReadySeconds"))
            {
                var updated = (JsonObject)existing.DeepClone();
                Annotations(updated)[RevisionAnnotation] = Math.Max(Revision(existing), newRevision).ToString(CultureInfo.InvariantCulture);
                SetMinReadySeconds(updated, d);
                state.Replace(existing, await _client.UpdateAsync(ReplicaSets, updated, null, cancellationToken));
            }

            await SetDeploymentRevisionAsync(d, Revision(state.New!), cancellationToken);
            return;
        }

        if (!create)
        {
            return;
        }

        var collisions = ObjectFields.Long(d["status"], "collisionCount");
        var template = (JsonObject)d["spec"]!["template"]!.DeepClone();
        var hash = PodTemplateHash.Compute(template, collisions);
        var templateMetadata = template["metadata"] as JsonObject ?? [];
        template["metadata"] = templateMetadata;
        var templateLabels = templateMetadata["labels"] as JsonObject ?? [];
        templateMetadata["labels"] = templateLabels;
        templateLabels[PodTemplateHash.Label] = hash;
        var selector = d["spec"]?["selector"]?.DeepClone() as JsonObject ?? [];
        var matchLabels = selector["matchLabels"] as JsonObject ?? [];
        selector["matchLabels"] = matchLabels;
        matchLabels[PodTemplateHash.Label] = hash;

        var wanted = Replicas(d);
        var replicas = IsRecreate(d) ? wanted : Math.Max(0, Math.Min(wanted + surge - state.All.Sum(Replicas), wanted));
        var annotations = new JsonObject();
        foreach (var (name, value) in d["metadata"]?["annotations"] as JsonObject ?? [])
        {
            if (name is not ("kubectl.kubernetes.io/last-applied-configuration" or RevisionAnnotation))
            {
                annotations[name] = value?.DeepClone();
            }
        }

        annotations[RevisionAnnotation] = newRevision.ToString(CultureInfo.InvariantCulture);
        annotations[DesiredReplicasAnnotation] = wanted.ToString(CultureInfo.InvariantCulture);
        annotations[MaxReplicasAnnotation] = (wanted + surge).ToString(CultureInfo.InvariantCulture);
        var rs = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{d.Name()}-{hash}",
                ["namespace"] = d.Namespace(),
                ["labels"] = templateLabels.DeepClone(),
                ["annotations"] = annotations,
                ["ownerReferences"] = new JsonArray(Owners.ControllerReference(d, Deployments)),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = selector,
                ["template"] = template,
            },
        };
        SetMinReadySeconds(rs, d);

        JsonObject created;
        try
        {
            created = await _client.CreateAsync(ReplicaSets, d.Namespace(), rs, cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code == 409 && e.Status.Reason == "AlreadyExists")
        {
            var taken = await _client.GetAsync(ReplicaSets, d.Namespace(), $"{d.Name()}-{hash}", cancellationToken);
            if (Owners.IsControlledBy(taken, d) && PodTemplateHash.EqualIgnoringHash(taken["spec"]?["template"], d["spec"]?["template"]))
            {
                state.AddNew(taken);
                return;
            }

            var bumped = (JsonObject)d.DeepClone();
            var status = bumped["status"] as JsonObject ?? [];
            bumped["status"] = status;
            status["collisionCount"] = (collisions ?? 0) + 1;
            await _client.UpdateAsync(Deployments, bumped, "status", cancellationToken);
            throw new RetryLaterException($"pod-template-hash collision on {d.Name()}-{hash}");
        }

        state.AddNew(created);
        if (replicas > 0)
        {
            _events.Normal(d, Deployments, "ScalingReplicaSet", $"Scaled up replica set {created.Name()} from 0 to {replicas}");
        }

        await SetDeploymentRevisionAsync(d, newRevision, cancellationToken);
    }

    private static void SetMinReadySeconds(JsonObject rs, JsonObject d)
    {
        var spec = (JsonObject)rs["spec"]!;
        if (ObjectFields.Long(d["spec"], "minReadySeconds") is { } seconds)
        {
            spec["minReadySeconds"] = seconds;
        }
        else
        {
            spec.Remove("minReadySeconds");
        }
    }

    private static JsonObject Annotations(JsonObject obj)
    {
        var metadata = obj.Metadata();
        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = [];
            metadata["annotations"] = annotations;
        }

        return annotations;
    }

    /// <summary>The Deployment carries the revision of its current set, as <c>kubectl describe</c> and <c>rollout history</c> show.</summary>
    private async Task SetDeploymentRevisionAsync(JsonObject d, long revision, CancellationToken cancellationToken)
    {
        var text = revision.ToString(CultureInfo.InvariantCulture);
        if (ObjectFields.String(d["metadata"]?["annotations"], RevisionAnnotation) == text)
        {
            return;
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = d.ResourceVersion(),
                ["annotations"] = new JsonObject { [RevisionAnnotation] = text },
            },
        };
        await _client.MergePatchAsync(Deployments, d.Namespace(), d.Name()!, patch, null, cancellationToken);
    }

    private async Task ScaleAsync(Rollout state, JsonObject rs, int replicas, CancellationToken cancellationToken)
    {
        var d = state.Deployment;
        var (surge, _) = Limits(d);
        var updated = (JsonObject)rs.DeepClone();
        var from = Replicas(rs);
        updated["spec"]!["replicas"] = replicas;
        var annotations = Annotations(updated);
        annotations[DesiredReplicasAnnotation] = Replicas(d).ToString(CultureInfo.InvariantCulture);
        annotations[MaxReplicasAnnotation] = (Replicas(d) + surge).ToString(CultureInfo.InvariantCulture);
        state.Replace(rs, await _client.UpdateAsync(ReplicaSets, updated, null, cancellationToken));
        if (from != replicas)
        {
            _events.Normal(d, Deployments, "ScalingReplicaSet",
                $"Scaled {(replicas > from ? "up" : "down")} replica set {rs.Name()} from {from} to {replicas}");
        }
    }

    /// <summary>Old sets scaled to zero beyond revisionHistoryLimit are deleted, oldest revision first.</summary>
    private async Task CleanupAsync(Rollout state, CancellationToken cancellationToken)
    {
        var limit = (int)(ObjectFields.Long(state.Deployment["spec"], "revisionHistoryLimit") ?? DefaultRevisionHistoryLimit);
        var idle = state.Old.Where(rs => Replicas(rs) == 0 && StatusCount(rs, "replicas") == 0 && rs.DeletionTimestamp() is null)
            .OrderBy(Revision).ToList();
        foreach (var rs in idle.Take(Math.Max(0, idle.Count - limit)))
        {
            try
            {
                await _client.DeleteAsync(ReplicaSets, rs.Namespace(), rs.Name()!, new Api.Clients.DeleteRequest { PreconditionUid = rs.Uid() }, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code is 404 or 409)
            {
                // Already gone or replaced.
            }
        }
    }

    private static bool IsComplete(Rollout state)
    {
        var wanted = Replicas(state.Deployment);
        return state.New is { } rs && Replicas(rs) == wanted && StatusCount(rs, "availableReplicas") >= wanted &&
            state.Old.All(o => StatusCount(o, "replicas") == 0 && Replicas(o) == 0);
    }

    /// <summary>Counts from the sets' status, and the Available and Progressing conditions.</summary>
    private async Task StatusAsync(Rollout state, CancellationToken cancellationToken)
    {
        var d = state.Deployment;
        var wanted = Replicas(d);
        var (_, maxUnavailable) = Limits(d);
        var available = state.All.Sum(rs => StatusCount(rs, "availableReplicas"));
        var status = new JsonObject
        {
            ["observedGeneration"] = ObjectFields.Long(d["metadata"], "generation") ?? 1,
            ["replicas"] = state.All.Sum(rs => StatusCount(rs, "replicas")),
            ["updatedReplicas"] = StatusCount(state.New, "replicas"),
            ["readyReplicas"] = state.All.Sum(rs => StatusCount(rs, "readyReplicas")),
            ["availableReplicas"] = available,
            ["unavailableReplicas"] = Math.Max(0, wanted - available),
        };
        if (ObjectFields.Long(d["status"], "collisionCount") is { } collisions)
        {
            status["collisionCount"] = collisions;
        }

        status["conditions"] = d["status"]?["conditions"]?.DeepClone() ?? new JsonArray();
        Conditions.Set(status, available >= wanted - maxUnavailable
            ? Conditions.Create("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", Time)
            : Conditions.Create("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", Time));
        Conditions.Set(status, Progressing(state, d, status));

        var current = d["status"] as JsonObject ?? [];
        if (JsonNode.DeepEquals(Comparable(current), Comparable(status)))
        {
            return;
        }

        var updated = (JsonObject)d.DeepClone();
        updated["status"] = status;
        await _client.UpdateAsync(Deployments, updated, "status", cancellationToken);
    }

    private JsonObject Progressing(Rollout state, JsonObject d, JsonObject status)
    {
        var newName = state.New?.Name() ?? "";
        if (IsPaused(d))
        {
            return Conditions.Create("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", Time);
        }

        if (IsComplete(state) && ObjectFields.Long(status, "replicas") == Replicas(d))
        {
            return Conditions.Create("Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{newName}\" has successfully progressed.", Time);
        }

        var previous = PodState.Condition(d, "Progressing");
        var deadline = ObjectFields.Long(d["spec"], "progressDeadlineSeconds") ?? DefaultProgressDeadlineSeconds;
        var progressedAt = ObjectFields.ParseTimestamp(ObjectFields.String(previous, "lastUpdateTime"));
        var sameSet = ObjectFields.String(previous, "message")?.Contains($"\"{newName}\"", StringComparison.Ordinal) == true;
        var counts = ObjectFields.Long(status, "updatedReplicas") != ObjectFields.Long(d["status"], "updatedReplicas") ||
            ObjectFields.Long(status, "availableReplicas") != ObjectFields.Long(d["status"], "availableReplicas") ||
            ObjectFields.Long(status, "replicas") != ObjectFields.Long(d["status"], "replicas");
        if (!counts && sameSet && progressedAt is { } at && deadline < int.MaxValue)
        {
            if (at.AddSeconds(deadline) <= Time.GetUtcNow())
            {
                return Conditions.Create("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{newName}\" has timed out progressing.", Time);
            }

            Queue.AddAfter(Informer.Key(d), at.AddSeconds(deadline) - Time.GetUtcNow() + TimeSpan.FromSeconds(1));
        }

        if (ObjectFields.String(previous, "reason") == "ProgressDeadlineExceeded" && !counts)
        {
            return (JsonObject)previous!.DeepClone();
        }

        var reason = sameSet ? "ReplicaSetUpdated" : "NewReplicaSetCreated";
        var message = sameSet ? $"ReplicaSet \"{newName}\" is progressing." : $"Created new replica set \"{newName}\"";
        var condition = Conditions.Create("Progressing", "True", reason, message, Time);
        if (!counts && previous is not null && ObjectFields.String(previous, "status") == "True" && sameSet)
        {
            // Nothing moved: keep the last progress time, so the deadline can pass.
            condition["lastUpdateTime"] = previous["lastUpdateTime"]?.DeepClone();
            condition["reason"] = previous["reason"]?.DeepClone();
            condition["message"] = previous["message"]?.DeepClone();
        }

        return condition;
    }

    /// <summary>Status without the zero counts upstream omits, so a stored status and a computed one compare equal.</summary>
    private static JsonObject Comparable(JsonObject status)
    {
        var copy = (JsonObject)status.DeepClone();
        foreach (var name in copy.Select(p => p.Key).ToList())
        {
            if (copy[name] is JsonValue v && v.TryGetValue<int>(out var n) && n == 0)
            {
                copy.Remove(name);
            }
            else if (copy[name] is JsonValue l && l.TryGetValue<long>(out var m) && m == 0)
            {
                copy.Remove(name);
            }
        }

        return copy;
    }
}
