namespace Edge.ApiServer.Encryption;

/// <summary>A named AES-256 key. The name travels in every value sealed with it, so it must not hold a colon.</summary>
public sealed class EncryptionKey
{
    public const int SecretBytes = 32;

    public EncryptionKey(string name, byte[] secret)
    {
        if (Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        if (secret.Length != SecretBytes)
        {
            throw new ArgumentException($"key {name} is {secret.Length} bytes; AES-256-GCM needs {SecretBytes}", nameof(secret));
        }

        Name = name;
        Secret = secret;
    }

    public string Name { get; }

    public byte[] Secret { get; }

    /// <summary>Why a key name cannot be used, or null: letters, digits, '-', '_' and '.' only, as upstream's config allows.</summary>
    public static string? Problem(string name) =>
        name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? $"key name '{name}' must be 1-64 letters, digits, '-', '_' or '.'"
            : null;

    /// <summary>A fresh random key named after the time it was made (<c>aesgcm-20250102T030405Z-1a2b</c>).</summary>
    public static EncryptionKey Generate(DateTimeOffset now) =>
        new($"aesgcm-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2))}",
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(SecretBytes));
}

/// <summary>
/// The keys a server knows: the first is the one new values are sealed with (unless writes are
/// plaintext because encryption is off), every one of them opens values. Immutable: a rotation
/// swaps the whole ring.
/// </summary>
public sealed class SecretKeyRing
{
    private readonly Dictionary<string, EncryptionKey> _byName;

    public SecretKeyRing(IReadOnlyList<EncryptionKey> keys, bool encryptWrites)
    {
        _byName = new Dictionary<string, EncryptionKey>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!_byName.TryAdd(key.Name, key))
            {
                throw new ArgumentException($"key name {key.Name} appears twice", nameof(keys));
            }
        }

        Keys = keys;
        WriteKey = encryptWrites && keys.Count > 0 ? keys[0] : null;
    }

    /// <summary>No keys, plaintext writes: what a server that never had encryption runs with.</summary>
    public static SecretKeyRing Empty { get; } = new([], encryptWrites: false);

    public IReadOnlyList<EncryptionKey> Keys { get; }

    /// <summary>The key new values are sealed with; null when writes go plaintext.</summary>
    public EncryptionKey? WriteKey { get; }

    public EncryptionKey? Find(string name) => _byName.GetValueOrDefault(name);
}
