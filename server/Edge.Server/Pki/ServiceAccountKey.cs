using System.Security.Cryptography;
using System.Text;
using Edge.Native;

namespace Edge.Server.Pki;

/// <summary>
/// The key that signs service-account tokens (ECDSA P-256, ES256). Created on first start and kept:
/// replacing it would invalidate every token handed to a pod. Readable by root only.
/// </summary>
public static class ServiceAccountKey
{
    public static ECDsa LoadOrCreate(ServerPaths paths)
    {
        if (File.Exists(paths.ServiceAccountKey))
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(paths.ServiceAccountKey));
                return key;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                key.Dispose();
                throw new StartupException($"{paths.ServiceAccountKey} is not a usable PEM private key: {e.Message}; restore it from a backup (a new key invalidates every service-account token)", e);
            }
        }

        var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(paths.TlsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AtomicFile.Write(paths.ServiceAccountKey, Encoding.ASCII.GetBytes(created.ExportPkcs8PrivateKeyPem() + "\n"), AtomicFile.OwnerOnly);
        return created;
    }
}
