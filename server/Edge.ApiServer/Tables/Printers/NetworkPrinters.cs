using System.Text.Json.Nodes;
using static Edge.ApiServer.Tables.JsonRead;

namespace Edge.ApiServer.Tables.Printers;

/// <summary>Services, Endpoints and EndpointSlices, as upstream <c>printService</c>, <c>printEndpoints</c>, <c>printEndpointSlice</c>.</summary>
static class NetworkPrinters
{
    /// <summary>Non-wide load balancer addresses are clipped to this many bytes; the server always prints wide.</summary>
    const int LoadBalancerWidth = 16;

    public static readonly TablePrinter Service = new(
    [
        Columns.Name,
        Columns.Text("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
        Columns.Text("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
        Columns.Text("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        Columns.Text("Port(s)", "The list of ports that are exposed by this service."),
        Columns.Age,
        Columns.Selector("Route service traffic to pods with label keys and values matching this selector."),
    ], (svc, now) =>
    {
        var spec = At(svc, "spec");
        // Defaulting fills type and clusterIPs upstream; read the same defaults if the stored object lacks them.
        var type = StrOrNull(spec, "type") ?? "ClusterIP";
        var clusterIP = Strings(spec, "clusterIPs").FirstOrDefault() ?? StrOrNull(spec, "clusterIP") ?? "<none>";
        if (clusterIP.Length == 0)
            clusterIP = "<none>";
        var ports = string.Join(",", Objects(spec, "ports").Select(p =>
        {
            var protocol = StrOrNull(p, "protocol") ?? "TCP";
            return Int(p, "nodePort") > 0
                ? $"{Int(p, "port")}:{Int(p, "nodePort")}/{protocol}"
                : $"{Int(p, "port")}/{protocol}";
        }));
        return
        [
            Name(svc),
            type,
            clusterIP,
            ExternalIP(svc, type, wide: true),
            ports.Length == 0 ? "<none>" : ports,
            Age(svc, now),
            FormatLabels(At(spec, "selector")),
        ];
    });

    public static readonly TablePrinter Endpoints = new(
    [
        Columns.Name,
        Columns.Text("Endpoints", "The set of all endpoints is the union of all subsets."),
        Columns.Age,
    ], (ep, now) => [Name(ep), FormatEndpoints(ep), Age(ep, now)]);

    public static readonly TablePrinter EndpointSlice = new(
    [
        Columns.Name,
        Columns.Text("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
        Columns.Text("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
        Columns.Text("Endpoints", "endpoints is a list of unique endpoints in this slice."),
        Columns.Age,
    ], (slice, now) =>
    {
        var ports = Objects(slice, "ports")
            .Select(p => IntOrNull(p, "port") is { } port ? port.ToString(System.Globalization.CultureInfo.InvariantCulture) : StrOrNull(p, "name") ?? "*")
            .ToList();
        var addresses = Objects(slice, "endpoints").SelectMany(e => Strings(e, "addresses")).ToList();
        return [Name(slice), Str(slice, "addressType"), FirstThree(ports), FirstThree(addresses), Age(slice, now)];
    });

    static string ExternalIP(JsonObject svc, string type, bool wide)
    {
        var external = Strings(svc, "spec", "externalIPs").ToList();
        switch (type)
        {
            case "ClusterIP" or "NodePort":
                return external.Count > 0 ? string.Join(",", external) : "<none>";
            case "LoadBalancer":
                var ingress = Objects(svc, "status", "loadBalancer", "ingress")
                    .Select(i => Str(i, "ip") is { Length: > 0 } ip ? ip : Str(i, "hostname"))
                    .Where(a => a.Length > 0)
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                var lb = string.Join(",", ingress);
                if (!wide && lb.Length > LoadBalancerWidth)
                    lb = lb[..(LoadBalancerWidth - 3)] + "...";
                if (external.Count > 0)
                    return string.Join(",", (lb.Length > 0 ? lb.Split(',') : []).Concat(external));
                return lb.Length > 0 ? lb : "<pending>";
            case "ExternalName":
                return Str(svc, "spec", "externalName");
            default:
                return "<unknown>";
        }
    }

    /// <summary>Up to three <c>ip:port</c> entries, then <c>+ N more...</c>; <c>&lt;none&gt;</c> without subsets.</summary>
    static string FormatEndpoints(JsonObject ep)
    {
        var subsets = Objects(ep, "subsets").ToList();
        if (subsets.Count == 0)
            return "<none>";
        const int max = 3;
        var list = new List<string>();
        var more = false;
        var count = 0;
        foreach (var subset in subsets)
        {
            var addresses = Objects(subset, "addresses").Select(a => Str(a, "ip")).ToList();
            var ports = Objects(subset, "ports").ToList();
            if (ports.Count == 0)
            {
                // Headless services may have no ports.
                count += addresses.Count;
                foreach (var ip in addresses)
                {
                    if (list.Count == max)
                    {
                        more = true;
                        break;
                    }
                    list.Add(ip);
                }
                continue;
            }
            foreach (var port in ports)
            {
                count += addresses.Count;
                foreach (var ip in addresses)
                {
                    if (list.Count == max)
                    {
                        more = true;
                        break;
                    }
                    list.Add(JoinHostPort(ip, Int(port, "port")));
                }
            }
        }
        var text = string.Join(",", list);
        return more ? $"{text} + {count - max} more..." : text;
    }

    static string FirstThree(List<string> items)
    {
        const int max = 3;
        var text = string.Join(",", items.Take(max));
        if (items.Count > max)
            return $"{text} + {items.Count - max} more...";
        return text.Length == 0 ? "<unset>" : text;
    }

    static string JoinHostPort(string host, long port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
}
