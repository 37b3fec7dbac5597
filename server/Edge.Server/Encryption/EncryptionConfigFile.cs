using System.Text.Json;
using Edge.ApiServer.Encryption;
using Edge.Cli;
using Edge.Native;

namespace Edge.Server.Encryption;

/// <summary>The JSON of <c>&lt;data-dir&gt;/cred/encryption-config.json</c>: named base64 keys, the first one active.</summary>
public sealed record EncryptionConfigDocument(IReadOnlyList<EncryptionConfigKey> Keys);

public sealed record EncryptionConfigKey(string Name, string Secret);

/// <summary>
/// Reads and writes the keys Secrets are encrypted with. The file is owner-only and replaced
/// atomically, so a crash leaves either the old or the new list, never half of one — losing it
/// would strand every encrypted Secret.
/// </summary>
public static class EncryptionConfigFile
{
    /// <summary>The keys in the file, or null when there is no file.</summary>
    public static IReadOnlyList<EncryptionKey>? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var document = JsonSerializer.Deserialize(File.ReadAllBytes(path), ServerJsonContext.Default.EncryptionConfigDocument);
            if (document?.Keys is not { Count: > 0 } keys)
            {
                throw new StartupException($"encryption config {path} holds no keys");
            }

            return keys.Select(k => new EncryptionKey(k.Name, Convert.FromBase64String(k.Secret))).ToList();
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            throw new StartupException($"encryption config {path} is not usable: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot read encryption config {path}: {PathProblem.Describe(path, e)}", e);
        }
    }

    public static void Save(string path, IReadOnlyList<EncryptionKey> keys)
    {
        var document = new EncryptionConfigDocument(keys.Select(k => new EncryptionConfigKey(k.Name, Convert.ToBase64String(k.Secret))).ToList());
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(document, ServerJsonContext.Default.EncryptionConfigDocument), AtomicFile.OwnerOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot write encryption config {path}: {PathProblem.Describe(path, e)}", e);
        }
    }
}
