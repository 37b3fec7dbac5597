using System.Text;

namespace Edge.Api.Patching;

/// <summary>RFC 6901 pointers as JSON patch uses them: <c>""</c> is the whole document.</summary>
internal static class JsonPointer
{
    public static string[] Parse(string pointer)
    {
        if (pointer.Length == 0)
            return [];
        if (pointer[0] != '/')
            throw PatchException.Unprocessable($"invalid JSON pointer \"{pointer}\": must be empty or start with '/'");
        var tokens = pointer[1..].Split('/');
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].Contains('~'))
                tokens[i] = Unescape(tokens[i], pointer);
        }
        return tokens;
    }

    /// <summary>Array index: digits without a leading zero (RFC 6901 §4); null when it is not one.</summary>
    public static int? ParseIndex(string token)
    {
        if (token.Length == 0 || token.Length > 9 || (token.Length > 1 && token[0] == '0'))
            return null;
        var value = 0;
        foreach (var c in token)
        {
            if (c is < '0' or > '9')
                return null;
            value = value * 10 + (c - '0');
        }
        return value;
    }

    // "~1" must become "/" before "~0" becomes "~", so "~01" stays "~1" (RFC 6901 §4).
    private static string Unescape(string token, string pointer)
    {
        var sb = new StringBuilder(token.Length);
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] != '~')
            {
                sb.Append(token[i]);
                continue;
            }
            var next = i + 1 < token.Length ? token[i + 1] : '\0';
            sb.Append(next switch
            {
                '0' => '~',
                '1' => '/',
                _ => throw PatchException.Unprocessable($"invalid JSON pointer \"{pointer}\": '~' must be followed by '0' or '1'"),
            });
            i++;
        }
        return sb.ToString();
    }
}
