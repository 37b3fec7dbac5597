using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.StaticPods;

/// <summary>A mirror pod to remove: its static pod is gone or changed, or someone is deleting it.</summary>
public sealed record MirrorDeletion(string Namespace, string Name, string Uid, string Reason);

/// <summary>
/// What brings the API's mirror pods in line with the static pods, as kubelet's pod sync decides it:
/// a mirror whose hash matches no static pod (file removed or edited) or that is being deleted is
/// removed for good (grace 0: there is nothing of it to stop); a static pod without a live mirror
/// gets one — unless a pod of the API that is no mirror holds the name, which is left alone.
/// </summary>
public sealed record MirrorPodPlan(IReadOnlyList<MirrorDeletion> Deletions, IReadOnlyList<StaticPod> Creations, IReadOnlyList<StaticPod> Conflicts)
{
    public static MirrorPodPlan For(NodeDesiredState channel, IReadOnlyDictionary<string, StaticPod> statics)
    {
        var deletions = new List<MirrorDeletion>();
        var mirrored = new HashSet<string>(StringComparer.Ordinal);
        var others = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in channel.Pods.Values)
        {
            var metadata = pod["metadata"] as JsonObject;
            var ns = Text(metadata, "namespace") ?? "default";
            var name = Text(metadata, "name") ?? "";
            var uid = Text(metadata, "uid") ?? "";
            if (StaticPodAnnotations.MirrorOf(pod) is not { } hash)
            {
                others.Add($"{ns}/{name}");
                continue;
            }

            if (!statics.TryGetValue(hash, out var owner) || owner.Namespace != ns || owner.Name != name)
            {
                deletions.Add(new MirrorDeletion(ns, name, uid, "its static pod is gone or changed"));
            }
            else if (metadata?["deletionTimestamp"] is not null)
            {
                deletions.Add(new MirrorDeletion(ns, name, uid, "it is being deleted; the static pod keeps running and gets a new mirror"));
            }
            else
            {
                mirrored.Add(hash);
            }
        }

        var creations = new List<StaticPod>();
        var conflicts = new List<StaticPod>();
        foreach (var pod in statics.Values.Where(p => !mirrored.Contains(p.Uid)))
        {
            (others.Contains(pod.FullName) ? conflicts : creations).Add(pod);
        }

        return new MirrorPodPlan(deletions, creations, conflicts);
    }

    /// <summary>The mirror pod to create for <paramref name="pod"/>: its object without uid and status, owned by the Node.</summary>
    public static JsonObject MirrorOf(StaticPod pod, string nodeName, string nodeUid)
    {
        var mirror = (JsonObject)pod.Pod.DeepClone();
        mirror.Remove("status");
        var metadata = (JsonObject)mirror["metadata"]!;
        metadata.Remove("uid");
        ((JsonObject)metadata["annotations"]!)[StaticPodAnnotations.Mirror] = pod.Uid;
        // As kubelet 1.27+: the Node owns its mirror pods, so they go with it (NodeRestriction allows only this owner).
        metadata["ownerReferences"] = new JsonArray((JsonNode)new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["name"] = nodeName,
            ["uid"] = nodeUid,
            ["controller"] = true,
        });
        return mirror;
    }

    private static string? Text(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
