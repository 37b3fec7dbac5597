using System.Globalization;
using System.Text.Json.Nodes;

namespace Edge.Agent.Run;

/// <summary>The node's heartbeat Lease in <c>kube-node-lease</c>, as a kubelet writes it.</summary>
public static class LeaseBody
{
    public const string Namespace = "kube-node-lease";
    public const int DurationSeconds = 40;

    /// <summary>Kubernetes' MicroTime: RFC 3339 with microseconds.</summary>
    public static string MicroTime(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    /// <summary>A new Lease, owned by the Node so that deleting the Node deletes its Lease.</summary>
    public static JsonObject Create(string nodeName, string nodeUid, DateTimeOffset now)
    {
        var owners = new JsonArray();
        owners.Add((JsonNode)new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["name"] = nodeName,
            ["uid"] = nodeUid,
        });
        return new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject
            {
                ["name"] = nodeName,
                ["namespace"] = Namespace,
                ["ownerReferences"] = owners,
            },
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = nodeName,
                ["leaseDurationSeconds"] = DurationSeconds,
                ["renewTime"] = MicroTime(now),
            },
        };
    }

    /// <summary>The stored Lease with a new renewTime (its resourceVersion kept, so a concurrent writer conflicts).</summary>
    public static JsonObject Renew(JsonObject stored, string nodeName, DateTimeOffset now)
    {
        var lease = stored.DeepClone().AsObject();
        if (lease["spec"] is not JsonObject spec)
        {
            spec = new JsonObject();
            lease["spec"] = spec;
        }

        spec["holderIdentity"] = nodeName;
        spec["leaseDurationSeconds"] = DurationSeconds;
        spec["renewTime"] = MicroTime(now);
        return lease;
    }
}
