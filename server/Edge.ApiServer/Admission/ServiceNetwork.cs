using System.Net;
using System.Net.Sockets;

namespace Edge.ApiServer.Admission;

/// <summary>
/// The service CIDR and node-port range the server allocates from (k3s defaults:
/// 10.43.0.0/16, 30000–32767). The first address is the <c>kubernetes</c> service's.
/// </summary>
public sealed record ServiceNetwork(IPAddress Base, int PrefixLength, int NodePortMin = 30000, int NodePortMax = 32767)
{
    public static ServiceNetwork Default { get; } = new(IPAddress.Parse("10.43.0.0"), 16);

    /// <summary>Addresses below this offset are left for users who pick their own (upstream's static band).</summary>
    private const int DynamicStart = 16;

    public string Cidr => $"{Base}/{PrefixLength}";

    public uint Size => 1u << (32 - PrefixLength);

    /// <summary>The address of the default/kubernetes service.</summary>
    public IPAddress KubernetesServiceIp => At(1);

    public bool Contains(string address)
    {
        if (!IPAddress.TryParse(address, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var offset = ToUInt(ip) - ToUInt(Base);
        return offset > 0 && offset < Size - 1;
    }

    public IPAddress At(uint offset) => FromUInt(ToUInt(Base) + offset);

    /// <summary>A free address of the dynamic band, chosen at random so concurrent creates rarely collide.</summary>
    public string? AllocateIp(Func<string, bool> isTaken)
    {
        var span = Size - DynamicStart - 1;
        var start = (uint)Random.Shared.NextInt64(span);
        for (uint i = 0; i < span; i++)
        {
            var candidate = At(DynamicStart + ((start + i) % span)).ToString();
            if (!isTaken(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public int? AllocateNodePort(Func<int, bool> isTaken)
    {
        var span = NodePortMax - NodePortMin + 1;
        var start = Random.Shared.Next(span);
        for (var i = 0; i < span; i++)
        {
            var candidate = NodePortMin + ((start + i) % span);
            if (!isTaken(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static uint ToUInt(IPAddress ip)
    {
        var bytes = ip.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static IPAddress FromUInt(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
