namespace Edge.Api.Objects;

/// <summary>Random name endings as upstream makes them (generateName).</summary>
public static class NameSuffix
{
    /// <summary>Upstream's letters for generated names: no vowels (no words), no look-alikes (0/o, 1/l, 3/e).</summary>
    public const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>Five random characters of <see cref="Alphabet"/>.</summary>
    public static string Next()
    {
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
        }

        return new string(suffix);
    }
}
