using System.Security.Cryptography;

namespace Edge.Agent.Runtime.Images;

/// <summary>
/// Content the mirror serves under its digest: a byte range of an archive on disk, or bytes made in memory
/// (the manifest converted from a docker-archive). <see cref="MediaType"/> is set for manifests and indexes.
/// </summary>
public sealed record ImageBlob(string Digest, long Length, string? MediaType, string? File, long Offset, ReadOnlyMemory<byte> Content)
{
    public static ImageBlob InFile(string digest, TarMember member, string file, string? mediaType = null) =>
        new(digest, member.Length, mediaType, file, member.Offset, default);

    public static ImageBlob InMemory(byte[] content, string mediaType) =>
        new(OciImageWriter.Digest(content), content.Length, mediaType, null, 0, content);

    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (File is null)
        {
            await destination.WriteAsync(Content, cancellationToken);
            return;
        }

        await using var source = new FileStream(File, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        source.Position = Offset;
        var buffer = new byte[Math.Min(Length, 1 << 16)];
        for (var left = Length; left > 0;)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (read == 0)
            {
                throw new IOException($"{File} shrank while its blob {Digest} was served");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            left -= read;
        }
    }

    /// <summary>The whole content; only for small blobs (manifests, configs).</summary>
    public byte[] ReadAll()
    {
        if (File is null)
        {
            return Content.ToArray();
        }

        using var source = new FileStream(File, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        var bytes = new byte[Length];
        source.Position = Offset;
        source.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The SHA-256 of a byte range of a file, without reading it all into memory.</summary>
    internal static string HashRange(string file, long offset, long length)
    {
        using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        source.Position = offset;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        for (var left = length; left > 0;)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                throw new ImageException($"{file} ends inside a blob");
            }

            hash.AppendData(buffer, 0, read);
            left -= read;
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
