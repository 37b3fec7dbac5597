using System.Security.Cryptography;
using System.Text;
using Edge.Native;

namespace Edge.Server.Tokens;

/// <summary>
/// The server token agents join with: <c>E10&lt;sha256 of the CA PEM, hex&gt;::server.&lt;secret&gt;</c>.
/// The hash lets a joining device check, before trusting anything, that <c>/cacerts</c> came from
/// this cluster. Created once, on first start; kept in the data dir, readable by root only.
/// </summary>
public static class ServerToken
{
    public const string Prefix = "E10";

    public static string LoadOrCreate(ServerPaths paths, string authorityPem)
    {
        var hash = CaHash(authorityPem);
        if (File.Exists(paths.TokenFile))
        {
            var existing = File.ReadAllText(paths.TokenFile).Trim();
            if (existing.StartsWith(Prefix + hash + "::", StringComparison.Ordinal))
            {
                return existing;
            }

            // The CA was replaced (only an interrupted first start does that): keep the secret,
            // fix the hash, so the token the operator copied keeps its secret part.
            var separator = existing.IndexOf("::", StringComparison.Ordinal);
            if (separator > 0)
            {
                var refreshed = Prefix + hash + existing[separator..];
                AtomicFile.WriteText(paths.TokenFile, refreshed + "\n", AtomicFile.OwnerOnly);
                return refreshed;
            }
        }

        var token = $"{Prefix}{hash}::server.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        AtomicFile.WriteText(paths.TokenFile, token + "\n", AtomicFile.OwnerOnly);
        return token;
    }

    public static string Read(ServerPaths paths)
    {
        if (!File.Exists(paths.TokenFile))
        {
            throw new StartupException($"{paths.DataDir} has no server token yet: start edge-server once with this data dir");
        }

        return File.ReadAllText(paths.TokenFile).Trim();
    }

    public static string CaHash(string authorityPem) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(authorityPem)));
}
