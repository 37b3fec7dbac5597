namespace Edge.ApiServer.Tables;

/// <summary>
/// Recognises kubectl's request for a Table: <c>application/json;as=Table;v=v1;g=meta.k8s.io</c>
/// among the Accept media ranges. kubectl lists v1, then v1beta1, then plain JSON; only v1 is
/// served, so a client offering just v1beta1 gets the plain list it also accepts.
/// </summary>
public static class TableMediaType
{
    public static bool IsRequested(string? accept)
    {
        if (string.IsNullOrEmpty(accept))
            return false;
        foreach (var range in accept.Split(','))
        {
            var parts = range.Split(';', StringSplitOptions.TrimEntries);
            if (!parts[0].Equals("application/json", StringComparison.OrdinalIgnoreCase))
                continue;
            string? kind = null, version = null, group = null;
            foreach (var parameter in parts.Skip(1))
            {
                var eq = parameter.IndexOf('=');
                if (eq < 0)
                    continue;
                var value = parameter[(eq + 1)..].Trim();
                switch (parameter[..eq].Trim().ToLowerInvariant())
                {
                    case "as": kind = value; break;
                    case "v": version = value; break;
                    case "g": group = value; break;
                }
            }
            if (kind == "Table" && version == "v1" && group == "meta.k8s.io")
                return true;
        }
        return false;
    }

    /// <summary>
    /// The <c>includeObject</c> query parameter: <c>Object</c> embeds whole objects (kubectl
    /// <c>--sort-by</c>); the default <c>Metadata</c> embeds PartialObjectMetadata.
    /// </summary>
    public static bool IncludesWholeObject(string? includeObject) =>
        string.Equals(includeObject, "Object", StringComparison.Ordinal);
}
