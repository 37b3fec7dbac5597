namespace Edge.Store;

/// <summary>Key-range arithmetic in etcd's terms (ordinal, byte-wise order of UTF-8 keys).</summary>
public static class KeyRange
{
    /// <summary>
    /// The smallest key greater than every key with this prefix: the prefix with its last
    /// character incremented (etcd's <c>clientv3.GetPrefixRangeEnd</c>).
    /// </summary>
    public static string PrefixEnd(string prefix)
    {
        if (prefix.Length == 0)
        {
            return RangeRequest.AllFrom;
        }

        var chars = prefix.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (chars[i] < char.MaxValue)
            {
                chars[i]++;
                return new string(chars, 0, i + 1);
            }
        }

        return RangeRequest.AllFrom;
    }

    /// <summary>True when <paramref name="key"/> falls in the request's key or range.</summary>
    public static bool Contains(string start, string? end, string key)
    {
        if (end is null)
        {
            return key == start;
        }

        if (string.CompareOrdinal(key, start) < 0)
        {
            return false;
        }

        return end == RangeRequest.AllFrom || string.CompareOrdinal(key, end) < 0;
    }
}
