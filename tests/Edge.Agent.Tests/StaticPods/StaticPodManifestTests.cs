using System.Text.Json.Nodes;
using Edge.Agent.StaticPods;

namespace Edge.Agent.Tests.StaticPods;

public sealed class StaticPodManifestTests
{
    private static readonly DateTimeOffset Seen = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private const string Web = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels:
            app: web
        spec:
          containers:
          - name: app
            image: busybox:1.36
            ports:
            - containerPort: 80
            resources:
              limits: {cpu: 100m, memory: 64Mi}
        """;

    [Fact]
    public void Parse_Pod_NamedAfterTheNodeAndDefaultedAsTheApiServerWould()
    {
        var pod = Assert.Single(StaticPodManifest.Parse("/m/web.yaml", Web, "node-a", Seen));

        Assert.Equal("web-node-a", pod.Name);
        Assert.Equal("default", pod.Namespace);
        var metadata = pod.Pod["metadata"]!;
        Assert.Equal("web-node-a", (string?)metadata["name"]);
        Assert.Equal(pod.Uid, (string?)metadata["uid"]);
        Assert.Matches("^[0-9a-f]{32}$", pod.Uid);
        Assert.Equal("web", (string?)metadata["labels"]!["app"]);
        Assert.Equal("file", (string?)metadata["annotations"]!["kubernetes.io/config.source"]);
        Assert.Equal(pod.Uid, (string?)metadata["annotations"]!["kubernetes.io/config.hash"]);
        Assert.Equal("2026-01-02T03:04:05.0000000Z", (string?)metadata["annotations"]!["kubernetes.io/config.seen"]);
        var spec = pod.Pod["spec"]!;
        Assert.Equal("node-a", (string?)spec["nodeName"]);
        Assert.Equal("Always", (string?)spec["restartPolicy"]);
        Assert.Equal(30, (int)spec["terminationGracePeriodSeconds"]!);
        Assert.Equal("ClusterFirst", (string?)spec["dnsPolicy"]);
        Assert.Null(spec["serviceAccountName"]);
        Assert.Equal("NoExecute", (string?)spec["tolerations"]![0]!["effect"]);
        var container = spec["containers"]![0]!;
        Assert.Equal("IfNotPresent", (string?)container["imagePullPolicy"]);
        Assert.Equal("TCP", (string?)container["ports"]![0]!["protocol"]);
        // Limits alone: requests default to them, so cpu and memory limits make the pod Guaranteed.
        Assert.Equal("Guaranteed", (string?)pod.Pod["status"]!["qosClass"]);
    }

    [Fact]
    public void Parse_LatestImageAndGivenNamespace_AlwaysPulledInThatNamespace()
    {
        var yaml = Web.Replace("  name: web\n", "  name: web\n  namespace: kube-system\n").Replace("busybox:1.36", "busybox");
        var pod = Assert.Single(StaticPodManifest.Parse("/m/web.yaml", yaml, "node-a", Seen));

        Assert.Equal("kube-system", pod.Namespace);
        Assert.Equal("Always", (string?)pod.Pod["spec"]!["containers"]![0]!["imagePullPolicy"]);
    }

    [Fact]
    public void Parse_SameDocumentAgain_SameUid_AnotherNodeOrFileOrContent_AnotherUid()
    {
        var uid = StaticPodManifest.Parse("/m/web.yaml", Web, "node-a", Seen)[0].Uid;

        Assert.Equal(uid, StaticPodManifest.Parse("/m/web.yaml", Web, "node-a", Seen.AddHours(1))[0].Uid);
        Assert.NotEqual(uid, StaticPodManifest.Parse("/m/web.yaml", Web, "node-b", Seen)[0].Uid);
        Assert.NotEqual(uid, StaticPodManifest.Parse("/m/other.yaml", Web, "node-a", Seen)[0].Uid);
        Assert.NotEqual(uid, StaticPodManifest.Parse("/m/web.yaml", Web.Replace("1.36", "1.37"), "node-a", Seen)[0].Uid);
    }

    [Fact]
    public void Parse_MultipleDocuments_TakesThePods()
    {
        var yaml = Web + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n"
            + Web.Replace("name: web", "name: db") + "\n---\n";

        var pods = StaticPodManifest.Parse("/m/all.yaml", yaml, "node-a", Seen);

        Assert.Equal(["web-node-a", "db-node-a"], pods.Select(p => p.Name));
        Assert.NotEqual(pods[0].Uid, pods[1].Uid);
    }

    [Fact]
    public void Parse_Json_Reads()
    {
        var json = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"},"spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}""";

        var pod = Assert.Single(StaticPodManifest.Parse("/m/j.json", json, "node-a", Seen));

        Assert.Equal("j-node-a", pod.Name);
        Assert.Equal("BestEffort", (string?)pod.Pod["status"]!["qosClass"]);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers: [\n", "line ")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec: {}\n", "line 1: the pod has no containers")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, image: i}]}\n", "line 4: the pod has no metadata")]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n  name: Upper\nspec: {containers: [{name: c, image: i}]}\n", "is not a DNS subdomain")]
    public void Parse_Broken_ThrowsWithTheLine(string yaml, string expected)
    {
        var e = Assert.Throws<ManifestException>(() => StaticPodManifest.Parse("/m/bad.yaml", yaml, "node-a", Seen));

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Parse_DoesNotChangeTheDocumentsItHashes()
    {
        var first = StaticPodManifest.Parse("/m/web.yaml", Web, "node-a", Seen)[0];
        var again = StaticPodManifest.Parse("/m/web.yaml", Web, "node-a", Seen)[0];

        Assert.True(JsonNode.DeepEquals(first.Pod, again.Pod));
    }
}
