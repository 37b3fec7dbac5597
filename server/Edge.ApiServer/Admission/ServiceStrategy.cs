using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Services: upstream defaults, a cluster IP from the service CIDR and node ports from their
/// range — reserved as store keys in the same transaction as the service, so two services can
/// never hold the same one — and a cluster IP that cannot change once set.
/// </summary>
public sealed class ServiceStrategy(ResourceType resource, ServiceNetwork network) : ResourceStrategy(resource)
{
    public const string IpPrefix = "/registry/ranges/serviceips/";
    public const string NodePortPrefix = "/registry/ranges/servicenodeports/";

    private static readonly string[] Types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];

    protected override bool NameIsLabel => true;

    public override bool TracksGeneration => false;

    public override bool UsesReservations => true;

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        Default(obj);
        obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        if (obj["spec"] is JsonObject spec && old["spec"] is JsonObject oldSpec)
        {
            // An update that leaves the IP out keeps the allocated one, as kubectl apply expects.
            spec["clusterIP"] ??= oldSpec["clusterIP"]?.DeepClone();
            spec["clusterIPs"] ??= oldSpec["clusterIPs"]?.DeepClone();
        }

        Default(obj);
    }

    public override void Allocate(JsonObject obj, JsonObject? old, Func<string, bool> isTaken)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            return;
        }

        var type = ObjectFields.String(spec, "type");
        if (type != "ExternalName" && string.IsNullOrEmpty(ObjectFields.String(spec, "clusterIP")))
        {
            var ip = network.AllocateIp(candidate => isTaken(IpPrefix + candidate))
                ?? throw ApiException.Internal("failed to allocate a service IP: the range is full");
            spec["clusterIP"] = ip;
            spec["clusterIPs"] = new JsonArray(ip);
        }

        if (type is "NodePort" or "LoadBalancer" && spec["ports"] is JsonArray ports)
        {
            var chosen = new HashSet<int>();
            foreach (var port in ports.OfType<JsonObject>())
            {
                if (ObjectFields.Long(port, "nodePort") is null or 0)
                {
                    var previous = (old?["spec"]?["ports"] as JsonArray)?.OfType<JsonObject>()
                        .FirstOrDefault(p => ObjectFields.Long(p, "port") == ObjectFields.Long(port, "port"));
                    port["nodePort"] = ObjectFields.Long(previous, "nodePort") is { } kept and > 0
                        ? kept
                        : network.AllocateNodePort(n => chosen.Contains(n) || isTaken(NodePortPrefix + n.ToString(CultureInfo.InvariantCulture)))
                            ?? throw ApiException.Internal("failed to allocate a node port: the range is full");
                }

                chosen.Add((int)(ObjectFields.Long(port, "nodePort") ?? 0));
            }
        }
    }

    public override IReadOnlyCollection<string> ReservedKeys(JsonObject obj)
    {
        var keys = new HashSet<string>();
        var spec = obj["spec"] as JsonObject;
        if (ObjectFields.String(spec, "clusterIP") is { } ip && network.Contains(ip))
        {
            keys.Add(IpPrefix + ip);
        }

        foreach (var port in (spec?["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (ObjectFields.Long(port, "nodePort") is { } nodePort and > 0)
            {
                keys.Add(NodePortPrefix + nodePort.ToString(CultureInfo.InvariantCulture));
            }
        }

        return keys;
    }

    public override FieldError ReservationConflict(JsonObject obj, string key) => key.StartsWith(IpPrefix, StringComparison.Ordinal)
        ? FieldError.InvalidValue("spec.clusterIPs", $"[{key[IpPrefix.Length..]}]", $"failed to allocate IP {key[IpPrefix.Length..]}: provided IP is already allocated")
        : FieldError.InvalidValue("spec.ports[*].nodePort", key[NodePortPrefix.Length..], "provided port is already allocated");

    public override void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        base.Validate(obj, old, errors);
        if (obj["spec"] is not JsonObject spec)
        {
            errors.Add(FieldError.Required("spec"));
            return;
        }

        var type = ObjectFields.String(spec, "type") ?? "ClusterIP";
        if (!Types.Contains(type))
        {
            errors.Add(FieldError.NotSupported("spec.type", type, Types));
        }

        var clusterIp = ObjectFields.String(spec, "clusterIP");
        if (type != "ExternalName" && clusterIp is not (null or "" or "None") && !network.Contains(clusterIp))
        {
            errors.Add(FieldError.InvalidValue("spec.clusterIPs", $"[{clusterIp}]",
                $"failed to allocate IP {clusterIp}: the provided IP ({clusterIp}) is not in the valid range. The range of valid IPs is {network.Cidr}"));
        }

        if (old is not null && ObjectFields.String(old["spec"], "clusterIP") is { Length: > 0 } oldIp && oldIp != clusterIp && type != "ExternalName")
        {
            errors.Add(FieldError.InvalidValue("spec.clusterIPs[0]", $"[{clusterIp}]", "may not change once set"));
        }

        if (spec["selector"] is { } selector)
        {
            NameRules.Labels("spec.selector", selector, errors);
        }

        ValidatePorts(spec, type, clusterIp, errors);
    }

    private void ValidatePorts(JsonObject spec, string type, string? clusterIp, List<FieldError> errors)
    {
        var ports = spec["ports"] as JsonArray;
        if (ports is null or { Count: 0 })
        {
            if (type != "ExternalName" && clusterIp != "None")
            {
                errors.Add(FieldError.Required("spec.ports"));
            }

            return;
        }

        var names = new HashSet<string>();
        for (var i = 0; i < ports.Count; i++)
        {
            var at = $"spec.ports[{i}]";
            var port = ports[i] as JsonObject;
            var number = ObjectFields.Long(port, "port");
            if (number is null or < 1 or > 65535)
            {
                errors.Add(FieldError.InvalidValue($"{at}.port", number ?? 0, "must be between 1 and 65535, inclusive"));
            }

            var name = ObjectFields.String(port, "name") ?? "";
            if (ports.Count > 1 && name.Length == 0)
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else if (name.Length > 0 && !names.Add(name))
            {
                errors.Add(FieldError.Duplicate($"{at}.name", name));
            }

            if (ObjectFields.String(port, "protocol") is { } protocol && !Protocols.Contains(protocol))
            {
                errors.Add(FieldError.NotSupported($"{at}.protocol", protocol, Protocols));
            }

            if (ObjectFields.Long(port, "nodePort") is { } nodePort and not 0)
            {
                if (type is not ("NodePort" or "LoadBalancer"))
                {
                    errors.Add(FieldError.Forbidden($"{at}.nodePort", "may not be used when `type` is 'ClusterIP'"));
                }
                else if (nodePort < network.NodePortMin || nodePort > network.NodePortMax)
                {
                    errors.Add(FieldError.InvalidValue($"{at}.nodePort", nodePort,
                        $"provided port is not in the valid range. The range of valid ports is {network.NodePortMin}-{network.NodePortMax}"));
                }
            }
        }
    }

    private static void Default(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            return;
        }

        spec["type"] ??= "ClusterIP";
        var type = ObjectFields.String(spec, "type");
        spec["sessionAffinity"] ??= "None";
        if (type != "ExternalName")
        {
            spec["internalTrafficPolicy"] ??= "Cluster";
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
            if (ObjectFields.String(spec, "clusterIP") is { Length: > 0 } ip)
            {
                spec["clusterIPs"] ??= new JsonArray(ip);
            }
        }

        if (type is "NodePort" or "LoadBalancer")
        {
            spec["externalTrafficPolicy"] ??= "Cluster";
        }

        if (type == "LoadBalancer")
        {
            spec["allocateLoadBalancerNodePorts"] ??= true;
        }

        if (spec["ports"] is JsonArray ports)
        {
            foreach (var port in ports.OfType<JsonObject>())
            {
                port["protocol"] ??= "TCP";
                port["targetPort"] ??= port["port"]?.DeepClone();
            }
        }
    }
}
