using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Selectors;
using Edge.Controllers.Common;

namespace Edge.Controllers.EndpointSlices;

/// <summary>
/// What the EndpointSlice and Endpoints controllers both read from a Service and its pods
/// (upstream <c>endpointutil</c> and <c>podutil.FindPort</c>).
/// </summary>
public static class ServiceEndpoints
{
    /// <summary>
    /// The pods of a Service come from its selector; a Service without one (its endpoints kept by
    /// hand, like <c>default/kubernetes</c>) and an ExternalName Service have none of ours.
    /// </summary>
    public static LabelSelector? Selector(JsonObject service)
    {
        if (ObjectFields.String(service["spec"], "type") == "ExternalName" ||
            service["spec"]?["selector"] is not JsonObject { Count: > 0 } selector)
        {
            return null;
        }

        return LabelSelector.FromObject(new JsonObject { ["matchLabels"] = selector.DeepClone() });
    }

    public static bool PublishNotReady(JsonObject service) =>
        service["spec"]?["publishNotReadyAddresses"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public static IEnumerable<JsonObject> Ports(JsonObject service) =>
        (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>
    /// The pod's first IPv4 address (status.podIPs, else status.podIP); none for a pod not yet
    /// given one, which is in no endpoints.
    /// </summary>
    public static string? PodIPv4(JsonObject pod)
    {
        var candidates = (pod["status"]?["podIPs"] as JsonArray ?? []).Select(p => ObjectFields.String(p, "ip"))
            .Append(ObjectFields.String(pod["status"], "podIP"));
        return candidates.FirstOrDefault(ip => IPAddress.TryParse(ip, out var a) && a.AddressFamily == AddressFamily.InterNetwork);
    }

    /// <summary>
    /// Whether the pod belongs in the endpoints at all (upstream <c>ShouldPodBeInEndpoints</c>):
    /// it has an address and has not finished; a terminating pod only when asked for.
    /// </summary>
    public static bool Eligible(JsonObject pod, bool includeTerminating) =>
        PodIPv4(pod) is not null && !PodState.IsTerminal(pod) && (includeTerminating || pod.DeletionTimestamp() is null);

    /// <summary>
    /// The container port a service port leads to on this pod: a number as it is, a name looked up
    /// among the pod's container ports of the same protocol; null when the pod has no such port.
    /// </summary>
    public static int? TargetPort(JsonObject servicePort, JsonObject pod)
    {
        var protocol = ObjectFields.String(servicePort, "protocol") ?? "TCP";
        var target = servicePort["targetPort"] ?? servicePort["port"];
        if (target is not JsonValue value)
        {
            return null;
        }

        if (value.GetValueKind() == JsonValueKind.Number)
        {
            return value.TryGetValue<int>(out var n) ? n : null;
        }

        var name = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric))
        {
            return numeric;
        }

        foreach (var container in (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (ObjectFields.String(port, "name") == name && (ObjectFields.String(port, "protocol") ?? "TCP") == protocol &&
                    ObjectFields.Long(port, "containerPort") is { } containerPort)
                {
                    return (int)containerPort;
                }
            }
        }

        return null;
    }

    /// <summary>The ports of the service as this pod serves them (<c>{name, port, protocol}</c>); a port the pod lacks is left out.</summary>
    public static JsonArray EndpointPorts(JsonObject service, JsonObject pod)
    {
        var ports = new JsonArray();
        foreach (var servicePort in Ports(service))
        {
            if (TargetPort(servicePort, pod) is { } port)
            {
                ports.Add((JsonNode)new JsonObject
                {
                    ["name"] = ObjectFields.String(servicePort, "name") ?? "",
                    ["port"] = port,
                    ["protocol"] = ObjectFields.String(servicePort, "protocol") ?? "TCP",
                });
            }
        }

        return ports;
    }

    public static JsonObject PodReference(JsonObject pod) => new()
    {
        ["kind"] = "Pod",
        ["namespace"] = pod.Namespace(),
        ["name"] = pod.Name(),
        ["uid"] = pod.Uid(),
    };

    /// <summary>Orders IPv4 addresses numerically, as upstream sorts endpoint addresses.</summary>
    public static int CompareIPs(string? a, string? b)
    {
        var x = IPAddress.TryParse(a, out var ax) ? ax.GetAddressBytes() : [];
        var y = IPAddress.TryParse(b, out var ay) ? ay.GetAddressBytes() : [];
        return ((ReadOnlySpan<byte>)x).SequenceCompareTo(y);
    }
}
