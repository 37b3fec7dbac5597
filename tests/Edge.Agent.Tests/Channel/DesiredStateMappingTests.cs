using System.Text.Json.Nodes;
using Edge.Agent.Channel;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;

namespace Edge.Agent.Tests.Channel;

public sealed class DesiredStateMappingTests
{
    private static JsonObject Pod(string name, string uid, string image = "nginx") => JsonNode.Parse(
        $$$"""{"metadata":{"namespace":"default","name":"{{{name}}}","uid":"{{{uid}}}"},"spec":{"containers":[{"name":"c","image":"{{{image}}}"}]}}""")!.AsObject();

    private static JsonObject ConfigMap(string name, string value) => JsonNode.Parse(
        $$$"""{"metadata":{"namespace":"default","name":"{{{name}}}"},"data":{"k":"{{{value}}}"}}""")!.AsObject();

    private static DesiredSnapshot Snapshot() => new()
    {
        Revision = 10,
        Pods = { ObjectJson.Encode(Pod("a", "uid-a")), ObjectJson.Encode(Pod("b", "uid-b")) },
        ConfigMaps = { ObjectJson.Encode(ConfigMap("cfg", "1")) },
        Secrets = { ObjectJson.Encode(ConfigMap("pull", "s")) },
        PodCidr = "10.42.1.0/24",
    };

    [Fact]
    public void FromSnapshot_KeysPodsByUid_AndObjectsByNamespaceName()
    {
        var state = DesiredStateMapping.FromSnapshot(Snapshot());

        Assert.Equal(10, state.Revision);
        Assert.Equal(["uid-a", "uid-b"], state.Pods.Keys.Order());
        Assert.Equal("1", (string?)state.ConfigMaps["default/cfg"]["data"]!["k"]);
        Assert.True(state.Secrets.ContainsKey("default/pull"));
        Assert.Equal("10.42.1.0/24", state.PodCidr);
    }

    [Fact]
    public void FromSnapshot_NoPodCidr_IsNull()
    {
        Assert.Null(DesiredStateMapping.FromSnapshot(new DesiredSnapshot { Revision = 1 }).PodCidr);
    }

    [Fact]
    public void Apply_UpsertsAndRemovals_LeaveThePreviousStateUntouched()
    {
        var before = DesiredStateMapping.FromSnapshot(Snapshot());
        var delta = new DesiredDelta
        {
            Revision = 12,
            UpsertedPods = { ObjectJson.Encode(Pod("a", "uid-a", "nginx:2")), ObjectJson.Encode(Pod("c", "uid-c")) },
            RemovedPods = { new ObjectRef { Namespace = "default", Name = "b", Uid = "uid-b" } },
            UpsertedConfigMaps = { ObjectJson.Encode(ConfigMap("cfg", "2")) },
            RemovedSecrets = { new ObjectRef { Namespace = "default", Name = "pull" } },
        };

        var after = DesiredStateMapping.Apply(before, delta);

        Assert.Equal(12, after.Revision);
        Assert.Equal(["uid-a", "uid-c"], after.Pods.Keys.Order());
        Assert.Equal("nginx:2", (string?)after.Pods["uid-a"]["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("2", (string?)after.ConfigMaps["default/cfg"]["data"]!["k"]);
        Assert.Empty(after.Secrets);
        Assert.Equal("10.42.1.0/24", after.PodCidr);
        Assert.Equal(["uid-a", "uid-b"], before.Pods.Keys.Order());
        Assert.Equal("1", (string?)before.ConfigMaps["default/cfg"]["data"]!["k"]);
    }

    [Fact]
    public void Apply_RemovalOfWhatIsNotThere_IsNoChange_AndPodCidrOnlyWhenSet()
    {
        var before = DesiredStateMapping.FromSnapshot(Snapshot());

        var same = DesiredStateMapping.Apply(before, new DesiredDelta { Revision = 11, RemovedPods = { new ObjectRef { Uid = "nope" } } });
        var cleared = DesiredStateMapping.Apply(same, new DesiredDelta { Revision = 13, PodCidr = "" });

        Assert.Equal(2, same.Pods.Count);
        Assert.Equal("10.42.1.0/24", same.PodCidr);
        Assert.Null(cleared.PodCidr);
    }

    [Fact]
    public void Apply_OlderRevision_IsAProtocolError()
    {
        var before = DesiredStateMapping.FromSnapshot(Snapshot());

        Assert.Throws<NodeChannelException>(() => DesiredStateMapping.Apply(before, new DesiredDelta { Revision = 9 }));
    }

    [Fact]
    public void FromSnapshot_NotJson_IsAProtocolError()
    {
        var snapshot = new DesiredSnapshot { Revision = 1, Pods = { Google.Protobuf.ByteString.CopyFromUtf8("{not json") } };

        Assert.Throws<NodeChannelException>(() => DesiredStateMapping.FromSnapshot(snapshot));
    }
}
