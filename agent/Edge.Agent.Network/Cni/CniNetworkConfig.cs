using System.Net;
using System.Text.Json.Nodes;
using Edge.Native;

namespace Edge.Agent.Network.Cni;

/// <summary>
/// The pod network of one node as containerd's CRI plugin runs it: a CNI conflist of a Linux bridge
/// with host-local addresses from the node's pod CIDR (the gateway is the CIDR's first address) and
/// portmap for hostPorts. containerd adds the loopback interface itself.
/// </summary>
/// <param name="BridgeName">The host bridge (15 characters at most, a kernel limit).</param>
/// <param name="PodCidr">The node's <c>spec.podCIDR</c>, e.g. <c>10.42.0.0/24</c>.</param>
/// <param name="IpamDataDir">Where host-local keeps its address leases (under the agent's data dir).</param>
public sealed record CniNetworkConfig(string BridgeName, string PodCidr, string IpamDataDir)
{
    public const string NetworkName = "edge-pods";
    public const string FileName = "10-edge.conflist";

    /// <summary>The conflist JSON; validates the CIDR and the bridge name first.</summary>
    public string Render()
    {
        if (!IPNetwork.TryParse(PodCidr, out var network) || network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || network.PrefixLength > 30)
        {
            throw new ArgumentException($"pod CIDR '{PodCidr}' is not an IPv4 network of at least 4 addresses");
        }

        if (BridgeName.Length is 0 or > 15 || BridgeName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"bridge name '{BridgeName}' is not a valid interface name (1–15 letters, digits, '-', '_', '.')");
        }

        var config = new JsonObject
        {
            ["cniVersion"] = "1.0.0",
            ["name"] = NetworkName,
            ["plugins"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "bridge",
                    ["bridge"] = BridgeName,
                    ["isGateway"] = true,
                    // Pods reach beyond the node through the node's address, as on k3s.
                    ["ipMasq"] = true,
                    ["hairpinMode"] = true,
                    ["ipam"] = new JsonObject
                    {
                        ["type"] = "host-local",
                        ["dataDir"] = IpamDataDir,
                        ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = network.ToString() })),
                        ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
                    },
                },
                new JsonObject
                {
                    ["type"] = "portmap",
                    ["capabilities"] = new JsonObject { ["portMappings"] = true },
                    // hostPort reachable on the node's 127.0.0.1 too.
                    ["snat"] = true,
                }),
        };
        return config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes the conflist into <paramref name="confDir"/> atomically; true when the file changed.</summary>
    public bool WriteTo(string confDir)
    {
        Directory.CreateDirectory(confDir);
        Directory.CreateDirectory(IpamDataDir);
        var path = Path.Combine(confDir, FileName);
        var text = Render();
        if (File.Exists(path) && File.ReadAllText(path) == text)
        {
            return false;
        }

        AtomicFile.WriteText(path, text, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return true;
    }
}
