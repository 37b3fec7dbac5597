namespace Edge.Agent;

/// <summary>
/// A join token, <c>E10&lt;sha256 of the cluster CA PEM, 64 hex&gt;::&lt;id&gt;.&lt;secret&gt;</c>. The hash
/// is what lets a device trust the CA it downloads from a server it does not know yet.
/// </summary>
public sealed record JoinToken(string CaHash, string Id, string Secret)
{
    public static bool TryParse(string text, out JoinToken? token, out string reason)
    {
        token = null;
        reason = "";
        if (!text.StartsWith("E10", StringComparison.Ordinal))
        {
            reason = "not an Edge join token (it starts with E10)";
            return false;
        }

        var separator = text.IndexOf("::", StringComparison.Ordinal);
        var hash = separator < 0 ? "" : text[3..separator];
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            reason = "the CA hash after E10 must be 64 lower-case hex digits followed by '::'";
            return false;
        }

        var credential = text[(separator + 2)..];
        var dot = credential.IndexOf('.');
        if (dot <= 0 || dot == credential.Length - 1)
        {
            reason = "the part after '::' must be <id>.<secret>";
            return false;
        }

        token = new JoinToken(hash, credential[..dot], credential[(dot + 1)..]);
        return true;
    }
}
