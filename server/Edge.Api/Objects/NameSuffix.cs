namespace Edge.Api.Objects;

/// <summary>Name endings as upstream makes them: random (generateName) or from a hash.</summary>
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

    /// <summary>
    /// A hash in <see cref="Alphabet"/>, one letter per decimal digit (upstream's SafeEncodeString
    /// of the number), so hash-named objects never spell a word.
    /// </summary>
    public static string Encode(uint hash)
    {
        var digits = hash.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Create(digits.Length, digits, static (letters, digits) =>
        {
            for (var i = 0; i < digits.Length; i++)
            {
                letters[i] = Alphabet[digits[i] % Alphabet.Length];
            }
        });
    }
}
