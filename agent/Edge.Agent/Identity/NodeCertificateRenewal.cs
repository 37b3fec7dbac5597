using Edge.Agent.Join;

namespace Edge.Agent.Identity;

/// <summary>
/// Keeps the node certificate fresh: when less than a third of its lifetime (or 30 days, whichever
/// is less) remains, a new key is made on the device and the current certificate, over mutual
/// TLS, vouches for it at <c>/v1-edge/renew</c>. An expired certificate cannot renew itself; the
/// node then joins again with a token. <c>edge-agent run</c> calls <see cref="RenewIfDueAsync"/> at
/// start and hourly; <c>join</c> re-runs and <c>edge-agent certificate renew</c> also do.
/// </summary>
public sealed class NodeCertificateRenewal(string dataDir, Uri server, TimeProvider time)
{
    private static readonly TimeSpan MaxRenewBefore = TimeSpan.FromDays(30);

    /// <summary>True when <paramref name="identity"/>'s certificate should be renewed now.</summary>
    public static bool IsDue(NodeIdentity identity, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(identity.Certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(identity.Certificate.NotAfter.ToUniversalTime());
        var renewBefore = TimeSpan.FromTicks(Math.Min((notAfter - notBefore).Ticks / 3, MaxRenewBefore.Ticks));
        return notAfter - now <= renewBefore;
    }

    /// <summary>Renews when due (or when forced); returns the identity now on disk, which the caller disposes.</summary>
    public async Task<(NodeIdentity Identity, bool Renewed)> RenewIfDueAsync(NodeIdentity current, bool force, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!force && !IsDue(current, now))
        {
            return (current, false);
        }

        if (current.Certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime)
        {
            throw new AgentException($"the node certificate expired at {current.Certificate.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}; it cannot renew itself: join again with a token");
        }

        var key = NodeKeys.NewKey();
        try
        {
            using var presented = current.ClientCertificate();
            var answer = await new JoinClient(server).RenewAsync(current.Authority, presented, new RenewRequest(NodeKeys.CreateCsr(current.NodeName, key)), cancellationToken);
            var renewed = NodeIdentity.Create(answer.Ca!, answer.Certificate!, key);
            if (renewed.NodeName != current.NodeName || renewed.AuthorityHash != current.AuthorityHash)
            {
                renewed.Dispose();
                throw new AgentException("the server renewed the certificate for another node or CA; keeping the current one");
            }

            renewed.Save(dataDir);
            return (renewed, true);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
