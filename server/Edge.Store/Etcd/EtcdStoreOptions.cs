namespace Edge.Store.Etcd;

/// <summary>How <see cref="EtcdStore"/> reaches an etcd cluster.</summary>
public sealed record EtcdStoreOptions
{
    /// <summary>
    /// Client URLs of the members (<c>https://host:2379</c> or <c>http://…</c>), tried in order:
    /// a call that finds one unavailable goes on to the next. No default.
    /// </summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>
    /// PEM file with the CA(s) that sign the members' serving certificates. When set, only these
    /// are trusted and the system trust store is never loaded; when null, https:// endpoints are
    /// checked against the system trust store. Default null.
    /// </summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate (optionally followed by its chain) for etcd's <c>--client-cert-auth</c>. Default null.</summary>
    public string? CertFile { get; init; }

    /// <summary>PEM private key of <see cref="CertFile"/>. Default null.</summary>
    public string? KeyFile { get; init; }

    /// <summary>How long to wait for the TCP and TLS connection to one member. Default 5 s.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Every problem of these options, each prefixed with its field path; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Endpoints.Count == 0)
        {
            errors.Add("endpoints: at least one etcd endpoint is required");
        }

        for (var i = 0; i < Endpoints.Count; i++)
        {
            if (!Uri.TryCreate(Endpoints[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"endpoints[{i}]: \"{Endpoints[i]}\" is not an https:// or http:// URL");
            }
            else if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                errors.Add($"endpoints[{i}]: \"{Endpoints[i]}\" must be scheme, host and port only");
            }
        }

        if (CertFile is null != KeyFile is null)
        {
            errors.Add(CertFile is null ? "certFile: keyFile is set but certFile is not" : "keyFile: certFile is set but keyFile is not");
        }

        if (DialTimeout <= TimeSpan.Zero)
        {
            errors.Add($"dialTimeout: {DialTimeout} is not positive");
        }

        return errors;
    }

    // Value equality over the endpoint list too, so a reconciler sees "unchanged" for equal configs.
    public bool Equals(EtcdStoreOptions? other) =>
        other is not null
        && Endpoints.SequenceEqual(other.Endpoints)
        && CaFile == other.CaFile
        && CertFile == other.CertFile
        && KeyFile == other.KeyFile
        && DialTimeout == other.DialTimeout;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var endpoint in Endpoints)
        {
            hash.Add(endpoint);
        }

        hash.Add(CaFile);
        hash.Add(CertFile);
        hash.Add(KeyFile);
        hash.Add(DialTimeout);
        return hash.ToHashCode();
    }
}
