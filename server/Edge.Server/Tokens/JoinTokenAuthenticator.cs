using System.Security.Cryptography;
using System.Text;

namespace Edge.Server.Tokens;

/// <summary>
/// Checks the <c>&lt;id&gt;.&lt;secret&gt;</c> an agent presents: the server token (id
/// <c>server</c>, never expires) or a live entry of <see cref="JoinTokenFile"/>, re-read whenever
/// the file changes so <c>token create</c> and <c>token delete</c> take effect without a restart.
/// Secrets are compared by their SHA-256 in constant time, and an unknown id costs the same work.
/// </summary>
public sealed class JoinTokenAuthenticator
{
    private readonly ServerPaths _paths;
    private readonly TimeProvider _time;
    private readonly byte[] _serverSecretHash;
    private readonly object _lock = new();
    private (DateTime Modified, long Length)? _seen;
    private Dictionary<string, JoinTokenEntry> _tokens = [];

    public JoinTokenAuthenticator(ServerPaths paths, string serverToken, TimeProvider time)
    {
        _paths = paths;
        _time = time;
        var credential = serverToken[(serverToken.IndexOf("::", StringComparison.Ordinal) + 2)..];
        _serverSecretHash = SHA256.HashData(Encoding.UTF8.GetBytes(credential[(credential.IndexOf('.') + 1)..]));
    }

    /// <summary>The token id when <paramref name="credential"/> is a valid, unexpired <c>id.secret</c>; null otherwise.</summary>
    public string? Authenticate(string credential)
    {
        var dot = credential.IndexOf('.');
        var id = dot > 0 ? credential[..dot] : "";
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(dot > 0 ? credential[(dot + 1)..] : credential));
        byte[] expected;
        var live = true;
        if (id == JoinTokenFile.ServerTokenId)
        {
            expected = _serverSecretHash;
        }
        else if (Current().TryGetValue(id, out var entry))
        {
            expected = Convert.FromHexString(entry.SecretSha256);
            live = !entry.IsExpired(_time.GetUtcNow());
        }
        else
        {
            // Compare against something anyway: the answer's timing must not tell ids apart.
            expected = new byte[presented.Length];
            live = false;
        }

        return CryptographicOperations.FixedTimeEquals(presented, expected) && live ? id : null;
    }

    private Dictionary<string, JoinTokenEntry> Current()
    {
        var info = new FileInfo(_paths.JoinTokensFile);
        (DateTime, long)? stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
        lock (_lock)
        {
            if (stamp != _seen)
            {
                _tokens = JoinTokenFile.Read(_paths.JoinTokensFile).ToDictionary(t => t.Id, StringComparer.Ordinal);
                _seen = stamp;
            }

            return _tokens;
        }
    }
}
