using System.Text.Json.Nodes;
using Edge.Agent.Run;

namespace Edge.Agent.Tests.Run;

public sealed class LeaseBodyTests
{
    private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 11, 23, 9, 30, 15, TimeSpan.Zero).AddTicks(1234567);

    [Fact]
    public void Create_IsAKubeletLeaseOwnedByTheNode()
    {
        var lease = LeaseBody.Create("pi-1", "uid-1", Now);

        Assert.Equal(
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"pi-1","namespace":"kube-node-lease","ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"pi-1","uid":"uid-1"}]},"spec":{"holderIdentity":"pi-1","leaseDurationSeconds":40,"renewTime":"2026-11-23T09:30:15.123456Z"}}""",
            lease.ToJsonString());
    }

    [Fact]
    public void Renew_KeepsMetadataAndResourceVersion_MovesRenewTime()
    {
        var stored = JsonNode.Parse("""{"metadata":{"name":"pi-1","resourceVersion":"42","uid":"l1"},"spec":{"holderIdentity":"pi-1","leaseDurationSeconds":40,"renewTime":"2026-11-23T09:30:00.000000Z"}}""")!.AsObject();

        var renewed = LeaseBody.Renew(stored, "pi-1", Now);

        Assert.Equal("42", (string?)renewed["metadata"]!["resourceVersion"]);
        Assert.Equal("2026-11-23T09:30:15.123456Z", (string?)renewed["spec"]!["renewTime"]);
        Assert.Equal("2026-11-23T09:30:00.000000Z", (string?)stored["spec"]!["renewTime"]);
    }
}
