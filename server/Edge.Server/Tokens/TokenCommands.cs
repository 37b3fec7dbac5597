using System.Globalization;
using System.Text;
using Edge.Cli;
using Edge.Server.Pki;

namespace Edge.Server.Tokens;

/// <summary><c>edge-server token show|create|list|delete</c>: run on the server host, against its data dir.</summary>
public static class TokenCommands
{
    /// <summary>Creates a token; the result is the whole token, the only place its secret is ever shown.</summary>
    public static string Create(ServerPaths paths, string? description, TimeSpan ttl, DateTimeOffset now)
    {
        using var authority = ClusterPki.LoadAuthorityCertificate(paths);
        var hash = ServerToken.CaHash(ClusterPki.PemOf(authority));
        var (entry, secret) = InDataDir(paths, () => new JoinTokenFile(paths).Create(description, ttl, now));
        return $"{ServerToken.Prefix}{hash}::{entry.Id}.{secret}";
    }

    /// <summary>A table in kubeadm's shape: ID, TTL, EXPIRES, DESCRIPTION; the server token first.</summary>
    public static string List(ServerPaths paths, DateTimeOffset now)
    {
        ServerToken.Read(paths); // the data dir must be a server's
        var rows = new List<string[]> { new[] { "ID", "TTL", "EXPIRES", "DESCRIPTION" } };
        rows.Add([JoinTokenFile.ServerTokenId, "<forever>", "<never>", "the server token (edge-server token show)"]);
        foreach (var token in new JoinTokenFile(paths).List())
        {
            rows.Add([
                token.Id,
                JoinTokenFile.DescribeTtl(token, now),
                token.Expires?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "<never>",
                token.Description ?? "",
            ]);
        }

        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("   ", row.Select((cell, c) => c == 3 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }

        return text.ToString();
    }

    public static void Delete(ServerPaths paths, string id)
    {
        if (id == JoinTokenFile.ServerTokenId)
        {
            throw new CliException("the server token cannot be deleted; create tokens with `edge-server token create` and delete those");
        }

        ServerToken.Read(paths);
        if (!InDataDir(paths, () => new JoinTokenFile(paths).Delete(id)))
        {
            throw new StartupException($"no join token with id '{id}' (see `edge-server token list`)");
        }
    }

    private static T InDataDir<T>(ServerPaths paths, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot write the join tokens in {paths.CredDir}: {PathProblem.Describe(paths.CredDir, e)}", e);
        }
    }
}
