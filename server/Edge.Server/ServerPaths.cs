namespace Edge.Server;

/// <summary>Where the server keeps its state below the data dir.</summary>
public sealed record ServerPaths(string DataDir)
{
    public string TlsDir => Path.Combine(DataDir, "tls");
    public string CaCertificate => Path.Combine(TlsDir, "server-ca.crt");
    public string CaKey => Path.Combine(TlsDir, "server-ca.key");
    public string ServingCertificate => Path.Combine(TlsDir, "serving.crt");
    public string ServingKey => Path.Combine(TlsDir, "serving.key");
    public string AdminCertificate => Path.Combine(TlsDir, "client-admin.crt");
    public string AdminKey => Path.Combine(TlsDir, "client-admin.key");
    public string ServiceAccountKey => Path.Combine(TlsDir, "service-account.key");
    public string TokenFile => Path.Combine(DataDir, "token");
    public string CredDir => Path.Combine(DataDir, "cred");
    public string JoinTokensFile => Path.Combine(CredDir, "join-tokens.json");
    public string JoinTokensLock => Path.Combine(CredDir, "join-tokens.lock");
    public string EncryptionConfig => Path.Combine(CredDir, "encryption-config.json");
    public string StoreDir => Path.Combine(DataDir, "db");
    public string SnapshotDir => Path.Combine(DataDir, "snapshots");
}
