using System.Buffers.Text;
using System.Text;

namespace Edge.Agent.Runtime.Images;

/// <summary>Where a regular file's bytes lie inside an uncompressed tarball.</summary>
public sealed record TarMember(string Name, long Offset, long Length);

/// <summary>
/// Lists the regular files of a tarball with the offset and length of their content, so blobs are served
/// straight from the archive without unpacking. Reads ustar, GNU long names and pax <c>path</c>/<c>size</c>
/// records — what <c>docker save</c>, containerd, skopeo and <see cref="OciImageWriter"/> produce.
/// </summary>
public static class TarIndex
{
    private const int Block = 512;

    /// <summary>The files by their name (leading <c>./</c> removed); throws <see cref="ImageException"/> on a damaged or non-tar file.</summary>
    public static IReadOnlyDictionary<string, TarMember> Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        var members = new Dictionary<string, TarMember>(StringComparer.Ordinal);
        var header = new byte[Block];
        long position = 0;
        string? longName = null;
        long? paxSize = null;
        var sawEnd = false;
        while (position + Block <= file.Length)
        {
            file.Position = position;
            file.ReadExactly(header);
            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                sawEnd = true;
                break;
            }

            if (!ChecksumMatches(header))
            {
                throw new ImageException(position == 0
                    ? $"{path} is not a tar archive"
                    : $"{path} is damaged: bad tar header at byte {position}");
            }

            var size = paxSize ?? ParseNumber(header.AsSpan(124, 12), path, position);
            var dataOffset = position + Block;
            if (size < 0 || dataOffset + size > file.Length)
            {
                throw new ImageException($"{path} is truncated: '{NameOf(header)}' needs {size} bytes at byte {dataOffset}, the file ends at {file.Length}");
            }

            var type = (char)header[156];
            switch (type)
            {
                case 'L':
                    longName = ReadString(file, dataOffset, size);
                    break;
                case 'x':
                    (longName, paxSize) = ReadPax(file, dataOffset, size, longName);
                    break;
                case 'g':
                    break;
                default:
                    var name = Normalize(longName ?? NameOf(header));
                    if (type is '0' or '\0' or '7')
                    {
                        members[name] = new TarMember(name, dataOffset, size);
                    }

                    longName = null;
                    paxSize = null;
                    break;
            }

            position = dataOffset + (size + Block - 1) / Block * Block;
        }

        if (!sawEnd && position != file.Length)
        {
            throw new ImageException($"{path} is truncated inside a tar header at byte {position}");
        }

        if (position == 0 && !sawEnd)
        {
            throw new ImageException($"{path} is empty");
        }

        return members;
    }

    private static bool ChecksumMatches(byte[] header)
    {
        long sum = 0;
        for (var i = 0; i < Block; i++)
        {
            sum += i is >= 148 and < 156 ? (byte)' ' : header[i];
        }

        var field = header.AsSpan(148, 8);
        var end = field.IndexOfAny((byte)0, (byte)' ');
        var digits = (end < 0 ? field : field[..end]).TrimStart((byte)' ');
        return digits.Length > 0 && TryParseOctal(digits, out var stored) && stored == sum;
    }

    private static long ParseNumber(ReadOnlySpan<byte> field, string path, long position)
    {
        if ((field[0] & 0x80) != 0)
        {
            // GNU base-256 for sizes of 8 GiB and more.
            long value = field[0] & 0x7F;
            foreach (var b in field[1..])
            {
                value = checked((value << 8) | b);
            }

            return value;
        }

        var end = field.IndexOfAny((byte)0, (byte)' ');
        var digits = (end < 0 ? field : field[..end]).Trim((byte)' ');
        return digits.Length == 0 ? 0
            : TryParseOctal(digits, out var parsed) ? parsed
            : throw new ImageException($"{path} is damaged: bad size in the tar header at byte {position}");
    }

    private static bool TryParseOctal(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'7')
            {
                return false;
            }

            value = (value << 3) + (b - '0');
        }

        return true;
    }

    private static string NameOf(byte[] header)
    {
        var name = CString(header.AsSpan(0, 100));
        // ustar keeps the leading part of a long path in the prefix field.
        var isUstar = header.AsSpan(257, 5).SequenceEqual("ustar"u8);
        var prefix = isUstar ? CString(header.AsSpan(345, 155)) : "";
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private static string Normalize(string name) => name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;

    private static string ReadString(FileStream file, long offset, long size)
    {
        var bytes = ReadBytes(file, offset, size);
        return CString(bytes);
    }

    private static byte[] ReadBytes(FileStream file, long offset, long size)
    {
        if (size > 1 << 20)
        {
            throw new ImageException($"{file.Name} has an implausible {size}-byte tar extension header");
        }

        var bytes = new byte[size];
        file.Position = offset;
        file.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Pax records are <c>"LEN key=value\n"</c>; only path and size change where the next file lies.</summary>
    private static (string? Path, long? Size) ReadPax(FileStream file, long offset, long size, string? path)
    {
        var data = ReadBytes(file, offset, size).AsSpan();
        long? paxSize = null;
        while (data.Length > 0)
        {
            var space = data.IndexOf((byte)' ');
            if (space <= 0 || !Utf8Parser.TryParse(data[..space], out int length, out _) || length <= space || length > data.Length)
            {
                throw new ImageException($"{file.Name} is damaged: bad pax header");
            }

            var record = data[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals > 0)
            {
                var key = record[..equals];
                var value = record[(equals + 1)..];
                if (key.SequenceEqual("path"u8))
                {
                    path = Encoding.UTF8.GetString(value);
                }
                else if (key.SequenceEqual("size"u8) && Utf8Parser.TryParse(value, out long parsed, out _))
                {
                    paxSize = parsed;
                }
            }

            data = data[length..];
        }

        return (path, paxSize);
    }
}
