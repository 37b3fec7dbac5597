using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Edge.Controllers.NodeIpam;

/// <summary>
/// The subnets of one prefix length cut from an IPv4 cluster range, and which are taken
/// (upstream <c>cidrset</c>). Allocation goes round from after the last one given, so a CIDR just
/// released is not handed out again at once while others are free. Not thread-safe.
/// </summary>
public sealed class CidrSet
{
    private readonly uint _base;
    private readonly int _maskSize;
    private readonly bool[] _used;
    private int _next;

    public CidrSet(string clusterCidr, int maskSize)
    {
        if (!TryParse(clusterCidr, out _base, out var prefix) || maskSize < prefix || maskSize > 32 || maskSize - prefix > 20)
        {
            throw new ArgumentException($"cluster CIDR {clusterCidr} cannot be cut in /{maskSize} subnets (IPv4, at most 2^20 of them)");
        }

        _maskSize = maskSize;
        _used = new bool[1 << (maskSize - prefix)];
    }

    public int Free => _used.Count(u => !u);

    /// <summary>Takes a free subnet; false when all are taken.</summary>
    public bool TryAllocate(out string cidr)
    {
        for (var i = 0; i < _used.Length; i++)
        {
            var index = (_next + i) % _used.Length;
            if (!_used[index])
            {
                _used[index] = true;
                _next = (index + 1) % _used.Length;
                cidr = Format(index);
                return true;
            }
        }

        cidr = "";
        return false;
    }

    /// <summary>Marks a subnet taken (one assigned before); false when it is not one of this set's.</summary>
    public bool Occupy(string cidr) => Mark(cidr, true);

    public bool Release(string cidr) => Mark(cidr, false);

    private bool Mark(string cidr, bool used)
    {
        if (!TryParse(cidr, out var address, out var prefix) || prefix != _maskSize)
        {
            return false;
        }

        var index = ((long)address - _base) >> (32 - _maskSize);
        if (index < 0 || index >= _used.Length)
        {
            return false;
        }

        _used[index] = used;
        return true;
    }

    private string Format(int index)
    {
        var address = _base + ((uint)index << (32 - _maskSize));
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return $"{new IPAddress(bytes)}/{_maskSize.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>An IPv4 CIDR as its network address (host bits cleared) and prefix length.</summary>
    private static bool TryParse(string? cidr, out uint network, out int prefix)
    {
        network = 0;
        prefix = 0;
        var slash = cidr?.IndexOf('/') ?? -1;
        if (slash < 0 || !IPAddress.TryParse(cidr.AsSpan(0, slash), out var ip) || ip.AddressFamily != AddressFamily.InterNetwork ||
            !int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32)
        {
            return false;
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        network = value & mask;
        return true;
    }
}
