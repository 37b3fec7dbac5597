using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edge.Agent.Identity;

namespace Edge.Agent.Join;

/// <summary>What <c>edge-agent join</c> was asked to do.</summary>
public sealed record JoinOptions(
    Uri Server, JoinToken Token, string NodeName, IReadOnlyList<string> Labels, IReadOnlyList<string> Taints, string DataDir, string ConfigPath);

/// <summary>
/// <c>edge-agent join</c>: check the server's CA against the token before trusting anything, make
/// a key on the device, have the server sign it, store the identity and the config. Everything that
/// can fail (network, token, name) fails before anything is written. Joining again with an identity
/// for the same cluster and name is a no-op that renews the certificate when it is due.
/// </summary>
public static class JoinCommand
{
    public static async Task<string> RunAsync(JoinOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        AgentConfigWriter.CheckWritable(options.ConfigPath);
        var existing = NodeIdentity.TryLoad(options.DataDir);
        if (existing is not null)
        {
            if (existing.AuthorityHash != options.Token.CaHash)
            {
                var hash = existing.AuthorityHash;
                existing.Dispose();
                throw new AgentException($"{options.DataDir} already holds the identity of a node of another cluster (CA hash {hash}); remove {new IdentityPaths(options.DataDir).Directory} to join this one");
            }

            if (existing.NodeName != options.NodeName)
            {
                var name = existing.NodeName;
                existing.Dispose();
                throw new AgentException($"this device already joined as node {name}; remove {new IdentityPaths(options.DataDir).Directory} (and `kubectl delete node {name}`) to join as {options.NodeName}");
            }

            if (existing.Certificate.NotAfter.ToUniversalTime() > time.GetUtcNow().UtcDateTime)
            {
                var (identity, renewed) = await new NodeCertificateRenewal(options.DataDir, options.Server, time).RenewIfDueAsync(existing, force: false, cancellationToken);
                using (identity)
                {
                    AgentConfigWriter.Write(options.ConfigPath, Settings(options, ExistingConfig(options)));
                    return renewed
                        ? $"node {identity.NodeName} had joined already; renewed its certificate, valid until {NotAfter(identity)}"
                        : $"node {identity.NodeName} had joined already; its certificate is valid until {NotAfter(identity)}";
                }
            }
        }

        // A first join, or an expired certificate: the token vouches again. An identity's key is
        // kept so the Node's recorded key still matches.
        var key = existing is null ? NodeKeys.NewKey() : CopyKey(existing.Key);
        existing?.Dispose();
        using (key)
        {
            var client = new JoinClient(options.Server);
            var authorityBytes = await client.FetchAuthorityAsync(cancellationToken);
            var presented = Convert.ToHexStringLower(SHA256.HashData(authorityBytes));
            if (presented != options.Token.CaHash)
            {
                throw new AgentException(
                    $"refusing to join {options.Server}: it presents a CA with hash {presented}, but the token expects {options.Token.CaHash}; " +
                    "either this is not the server the token belongs to or someone is intercepting the connection. Nothing was sent.");
            }

            using var authority = LoadAuthority(authorityBytes);
            var request = new JoinRequest(options.NodeName, NodeKeys.CreateCsr(options.NodeName, key), Labels(options.Labels), options.Taints);
            var answer = await client.JoinAsync(authority, options.Token, request, cancellationToken);
            using var identity = NodeIdentity.Create(answer.Ca!, answer.Certificate!, CopyKey(key));
            if (identity.AuthorityHash != options.Token.CaHash || identity.NodeName != options.NodeName)
            {
                throw new AgentException("the server answered with a certificate for another node or CA; nothing was written");
            }

            identity.Save(options.DataDir);
            AgentConfigWriter.Write(options.ConfigPath, Settings(options, answer.Config!));
            return $"node {identity.NodeName} joined {options.Server.ToString().TrimEnd('/')}; certificate valid until {NotAfter(identity)}";
        }
    }

    private static AgentSettings Settings(JoinOptions options, NodeConfig cluster) =>
        new(options.Server, options.NodeName, options.DataDir, options.Labels, options.Taints, cluster);

    /// <summary>A re-join without a server round trip keeps the cluster settings the last join wrote.</summary>
    private static NodeConfig ExistingConfig(JoinOptions options)
    {
        try
        {
            var config = Edge.Cli.ConfigFile.Load(options.ConfigPath, Cli.AgentCommands.ConfigSchema);
            return new NodeConfig(One(config, "cluster-cidr"), One(config, "service-cidr"), One(config, "cluster-dns"), One(config, "pod-cidr"));
        }
        catch (Edge.Cli.CliException)
        {
            return new NodeConfig("", "", "", "");
        }
    }

    private static string One(Edge.Cli.ConfigFile config, string key) => config.Get(key) is [var value, ..] ? value : "";

    /// <summary><c>key=value</c> flags as a map; a key given twice keeps its last value, as kubelet's flag does.</summary>
    private static Dictionary<string, string> Labels(IReadOnlyList<string> labels)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var parts = label.Split('=', 2);
            map[parts[0]] = parts[1];
        }

        // What the device is, as kubelet labels it: the truth wins over a --node-label, so a
        // nodeSelector on kubernetes.io/arch never sends an arm64 image to an x64 box.
        map["kubernetes.io/arch"] = KubernetesArchitecture(RuntimeInformation.OSArchitecture);
        map["kubernetes.io/os"] = "linux";
        return map;
    }

    /// <summary>Go's GOARCH names, which Kubernetes uses for <c>kubernetes.io/arch</c>.</summary>
    internal static string KubernetesArchitecture(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.X86 => "386",
        Architecture.RiscV64 => "riscv64",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.LoongArch64 => "loong64",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static X509Certificate2 LoadAuthority(byte[] pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(pem));
        }
        catch (CryptographicException e)
        {
            throw new AgentException($"the CA the server presents cannot be read: {e.Message}", e);
        }
    }

    private static ECDsa CopyKey(ECDsa key)
    {
        var copy = ECDsa.Create();
        copy.ImportParameters(key.ExportParameters(includePrivateParameters: true));
        return copy;
    }

    private static string NotAfter(NodeIdentity identity) => identity.Certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
