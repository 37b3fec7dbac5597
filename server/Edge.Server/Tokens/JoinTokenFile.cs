using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Native;

namespace Edge.Server.Tokens;

/// <summary>
/// The join tokens an operator created (<c>edge-server token create</c>), in
/// <c>&lt;data-dir&gt;/cred/join-tokens.json</c>, 0600. The running server holds the store's lock,
/// so the CLI cannot go through the API: the file is the shared state, written atomically under a
/// lock file so two CLI runs never lose each other's change, and the server re-reads it when it
/// changes. Only the SHA-256 of a secret is kept: the file alone cannot be used to join.
/// </summary>
public sealed class JoinTokenFile
{
    /// <summary>How long a second CLI run waits for the first one's lock.</summary>
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private readonly ServerPaths _paths;

    public JoinTokenFile(ServerPaths paths) => _paths = paths;

    /// <summary>The tokens, oldest first; none when the file does not exist yet.</summary>
    public IReadOnlyList<JoinTokenEntry> List() => Read(_paths.JoinTokensFile);

    /// <summary>Creates a token; returns the entry and its secret, which exists nowhere else afterwards.</summary>
    public (JoinTokenEntry Entry, string Secret) Create(string? description, TimeSpan? ttl, DateTimeOffset now)
    {
        using var _ = Lock();
        var tokens = Read(_paths.JoinTokensFile).ToList();
        string id;
        do
        {
            id = RandomLowerAlphanumeric(6);
        }
        while (id == ServerTokenId || tokens.Any(t => t.Id == id));

        var secret = RandomLowerAlphanumeric(32);
        var entry = new JoinTokenEntry(id, HashSecret(secret), string.IsNullOrEmpty(description) ? null : description, now, ttl is { } t && t > TimeSpan.Zero ? now + t : null);
        tokens.Add(entry);
        Write(tokens);
        return (entry, secret);
    }

    /// <summary>Deletes a token; false when no token has this id.</summary>
    public bool Delete(string id)
    {
        using var _ = Lock();
        var tokens = Read(_paths.JoinTokensFile).ToList();
        if (tokens.RemoveAll(t => t.Id == id) == 0)
        {
            return false;
        }

        Write(tokens);
        return true;
    }

    /// <summary>The id of the server token (the <c>token</c> file), which is not kept in this file and never expires.</summary>
    public const string ServerTokenId = "server";

    public static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    internal static IReadOnlyList<JoinTokenEntry> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, TokenJsonContext.Default.JoinTokenDocument)?.Tokens ?? [];
        }
        catch (JsonException e)
        {
            throw new StartupException($"{path} is not a readable token file: {e.Message}", e);
        }
    }

    private void Write(List<JoinTokenEntry> tokens)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new JoinTokenDocument(tokens), TokenJsonContext.Default.JoinTokenDocument);
        AtomicFile.Write(_paths.JoinTokensFile, bytes, AtomicFile.OwnerOnly);
    }

    /// <summary>
    /// An exclusive lock on <c>cred/join-tokens.lock</c>. .NET takes <c>FileShare.None</c> as a
    /// non-blocking flock, so a second CLI run retries until the first is done. The lock file is
    /// never deleted: deleting it would let two runs lock two different inodes.
    /// </summary>
    private FileStream Lock()
    {
        Directory.CreateDirectory(_paths.CredDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(_paths.JoinTokensLock, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.None,
                    UnixCreateMode = AtomicFile.OwnerOnly,
                });
            }
            catch (IOException) when (waited.Elapsed < LockTimeout)
            {
                Thread.Sleep(50);
            }
            catch (IOException e)
            {
                throw new StartupException($"{_paths.JoinTokensLock} stayed locked for {LockTimeout.TotalSeconds:0} s: is another `edge-server token` command stuck?", e);
            }
        }
    }

    private static string RandomLowerAlphanumeric(int length) =>
        RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", length);

    /// <summary>How <c>token list</c> shows the time left: <c>23h59m</c>, <c>&lt;forever&gt;</c>, <c>&lt;expired&gt;</c>.</summary>
    public static string DescribeTtl(JoinTokenEntry entry, DateTimeOffset now)
    {
        if (entry.Expires is not { } expires)
        {
            return "<forever>";
        }

        var left = expires - now;
        if (left <= TimeSpan.Zero)
        {
            return "<expired>";
        }

        return left.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalHours}h{left.Minutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{left.Minutes}m{left.Seconds}s");
    }
}

/// <summary>One join token as stored: never its secret, only the secret's SHA-256 (hex).</summary>
public sealed record JoinTokenEntry(string Id, string SecretSha256, string? Description, DateTimeOffset Created, DateTimeOffset? Expires)
{
    public bool IsExpired(DateTimeOffset now) => Expires is { } expires && expires <= now;
}

/// <summary>The file's shape: an object rather than a bare array, so fields can be added beside the list.</summary>
public sealed record JoinTokenDocument(IReadOnlyList<JoinTokenEntry> Tokens);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(JoinTokenDocument))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
