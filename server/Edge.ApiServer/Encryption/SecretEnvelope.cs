using System.Security.Cryptography;
using System.Text;
using Edge.Store;

namespace Edge.ApiServer.Encryption;

/// <summary>
/// The stored form of an encrypted value, as upstream's aesgcm transformer writes it:
/// <c>k8s:enc:aesgcm:v1:&lt;key name&gt;:</c>, a random 12-byte nonce, the ciphertext and the
/// 16-byte GCM tag. The storage key is the associated data, so a value copied under another key
/// fails to open instead of passing for that other object. A value without the prefix is
/// plaintext (written before encryption was turned on) and reads as it is.
/// </summary>
public static class SecretEnvelope
{
    public const string Prefix = "k8s:enc:aesgcm:v1:";

    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private static readonly byte[] PrefixBytes = Encoding.ASCII.GetBytes(Prefix);

    public static byte[] Seal(EncryptionKey key, string storageKey, ReadOnlySpan<byte> plaintext)
    {
        var header = PrefixBytes.Length + key.Name.Length + 1;
        var sealedValue = new byte[header + NonceBytes + plaintext.Length + TagBytes];
        PrefixBytes.CopyTo(sealedValue, 0);
        Encoding.ASCII.GetBytes(key.Name, sealedValue.AsSpan(PrefixBytes.Length));
        sealedValue[header - 1] = (byte)':';
        var nonce = sealedValue.AsSpan(header, NonceBytes);
        // Random nonces are upstream's choice too: safe for far more writes per key (2^32)
        // than a cluster makes between rotations.
        RandomNumberGenerator.Fill(nonce);
        var ciphertext = sealedValue.AsSpan(header + NonceBytes, plaintext.Length);
        var tag = sealedValue.AsSpan(header + NonceBytes + plaintext.Length, TagBytes);
        using var aes = new AesGcm(key.Secret, TagBytes);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.UTF8.GetBytes(storageKey));
        return sealedValue;
    }

    /// <summary>The name of the key a value is sealed with, or null for a plaintext value.</summary>
    public static string? KeyNameOf(string storageKey, ReadOnlySpan<byte> value)
    {
        if (!value.StartsWith(PrefixBytes))
        {
            return null;
        }

        var rest = value[PrefixBytes.Length..];
        var colon = rest.IndexOf((byte)':');
        if (colon <= 0)
        {
            throw new SecretDecryptionException(storageKey, "the value has the encryption prefix but no key name");
        }

        return Encoding.ASCII.GetString(rest[..colon]);
    }

    /// <summary>The plaintext of a stored value: opened with the ring's key of that name, or the value itself if it is plaintext.</summary>
    public static byte[] Open(SecretKeyRing keys, string storageKey, byte[] value)
    {
        if (KeyNameOf(storageKey, value) is not { } name)
        {
            return value;
        }

        var key = keys.Find(name)
            ?? throw new SecretDecryptionException(storageKey, $"it is encrypted with key '{name}', which is not in the encryption config");
        var header = PrefixBytes.Length + name.Length + 1;
        if (value.Length < header + NonceBytes + TagBytes)
        {
            throw new SecretDecryptionException(storageKey, $"the value is too short to be sealed with key '{name}'");
        }

        var span = value.AsSpan(header);
        var ciphertext = span[NonceBytes..^TagBytes];
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key.Secret, TagBytes);
            aes.Decrypt(span[..NonceBytes], ciphertext, span[^TagBytes..], plaintext, Encoding.UTF8.GetBytes(storageKey));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new SecretDecryptionException(storageKey, $"key '{name}' does not authenticate it (the value is damaged or was copied from another key)", e);
        }

        return plaintext;
    }
}

/// <summary>
/// A stored secret that cannot be decrypted. The API reports it as an internal error naming the
/// object, never as garbage JSON.
/// </summary>
public sealed class SecretDecryptionException(string storageKey, string reason, Exception? inner = null)
    : StoreException($"cannot decrypt {storageKey}: {reason}", inner)
{
    public string StorageKey { get; } = storageKey;
}
