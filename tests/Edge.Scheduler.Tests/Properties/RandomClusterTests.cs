using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Selectors;
using Edge.Scheduler.Model;
using Xunit.Abstractions;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests.Properties;

/// <summary>
/// Random clusters and pods scheduled one by one; after every bind the placement is checked
/// against invariants computed here from the JSON, independently of the plugins.
/// </summary>
public sealed class RandomClusterTests(ITestOutputHelper output)
{
    static readonly string[] TaintKeys = ["dedicated", "gpu", "edge"];
    static readonly string[] Effects = ["NoSchedule", "NoExecute", "PreferNoSchedule"];

    [Fact]
    public void ScheduleOne_RandomClusters_InvariantsHold()
    {
        int bound = 0, failed = 0, evicted = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            try
            {
                var (b, f, e) = RunOne(seed);
                bound += b;
                failed += f;
                evicted += e;
            }
            catch (Exception)
            {
                output.WriteLine($"failing seed: {seed}");
                throw;
            }
        }
        // The generator must exercise both outcomes, or the invariants would be checked on nothing.
        Assert.True(bound > 3000, $"bound {bound}");
        Assert.True(failed > 100, $"failed {failed}");
        Assert.True(evicted > 10, $"evicted {evicted}");
    }

    static (int Bound, int Failed, int Evicted) RunOne(int seed)
    {
        var random = new Random(seed);
        var cluster = new TestCluster(seed);
        var nodes = new Dictionary<string, JsonObject>();
        var placed = new Dictionary<string, (JsonObject Pod, string Node)>();
        for (var i = 0; i < random.Next(3, 25); i++)
        {
            var labels = new JsonObject();
            if (random.Next(10) > 0)
                labels["zone"] = "z" + random.Next(3);
            labels["disk"] = random.Next(2) == 0 ? "ssd" : "hdd";
            var taints = new JsonArray();
            if (random.Next(4) == 0)
                taints.Add((JsonNode)TestCluster.Taint(TaintKeys[random.Next(3)], "x", Effects[random.Next(3)]));
            var node = TestCluster.Node("n" + i, cpu: random.Next(1, 9).ToString(), memory: random.Next(1, 17) + "Gi",
                pods: random.Next(3, 20), labels: labels, taints: taints);
            nodes["n" + i] = node;
            cluster.Scheduler.AddOrUpdateNode(node);
        }

        var pods = new Dictionary<string, JsonObject>();
        var count = random.Next(10, 60);
        int bound = 0, failed = 0, evicted = 0;
        // Three waves, so that later high-priority pods meet earlier low-priority ones and preempt.
        for (var round = 0; round < 3; round++)
        {
            for (var i = round * count / 3; i < (round + 1) * count / 3; i++)
            {
                var pod = RandomPod(random, "p" + i);
                pods[Key(pod)] = pod;
                cluster.Scheduler.AddOrUpdatePod(pod);
            }
            while (cluster.Scheduler.ScheduleOne() is { } attempt)
            {
                var key = attempt.Pod.ToString();
                foreach (var (victim, _, _) in cluster.Evictions)
                {
                    Assert.True(placed.Remove(victim), $"evicted {victim} was not placed");
                    var ns = victim.Split('/');
                    cluster.Scheduler.RemovePod(ns[0], ns[1]);
                    evicted++;
                }
                cluster.Evictions.Clear();
                if (attempt.NodeName is not { } nodeName)
                {
                    failed++;
                    continue;
                }
                bound++;
                var pod = (JsonObject)pods[key].DeepClone();
                pod["spec"]!["nodeName"] = nodeName;
                placed[key] = (pod, nodeName);
                // The host's watch confirms the binding.
                cluster.Scheduler.AddOrUpdatePod(pod);
                CheckPlacement(nodes, placed, key);
            }
            cluster.Time.Advance(TimeSpan.FromSeconds(11));
        }
        return (bound, failed, evicted);
    }

    static string Key(JsonObject pod) => pod.Namespace() + "/" + pod.Name();

    static JsonObject RandomPod(Random random, string name)
    {
        var app = "g" + random.Next(4);
        var spec = new JsonObject();
        if (random.Next(3) == 0)
        {
            var key = TaintKeys[random.Next(3)];
            spec["tolerations"] = new JsonArray(random.Next(4) == 0
                ? new JsonObject { ["operator"] = "Exists" }
                : new JsonObject { ["key"] = key, ["operator"] = "Equal", ["value"] = "x", ["effect"] = Effects[random.Next(2)] });
        }
        if (random.Next(5) == 0)
            spec["nodeSelector"] = Labels(("disk", "ssd"));
        if (random.Next(3) == 0)
        {
            spec["topologySpreadConstraints"] = new JsonArray(new JsonObject
            {
                ["maxSkew"] = random.Next(1, 3),
                ["topologyKey"] = "zone",
                ["whenUnsatisfiable"] = random.Next(4) == 0 ? "ScheduleAnyway" : "DoNotSchedule",
                ["labelSelector"] = new JsonObject { ["matchLabels"] = Labels(("app", app)) },
            });
        }
        if (random.Next(4) == 0)
        {
            spec["affinity"] = new JsonObject
            {
                ["podAntiAffinity"] = new JsonObject
                {
                    ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(new JsonObject
                    {
                        ["labelSelector"] = new JsonObject { ["matchLabels"] = Labels(("app", app)) },
                        ["topologyKey"] = random.Next(3) == 0 ? "zone" : "kubernetes.io/hostname",
                    }),
                },
            };
        }
        var cpu = random.Next(1, 20) * 100 + "m";
        var memory = random.Next(1, 40) * 128 + "Mi";
        return TestCluster.Pod(name, cpu: cpu, memory: memory, labels: Labels(("app", app)), priority: random.Next(3), spec: spec);
    }

    static void CheckPlacement(Dictionary<string, JsonObject> nodes, Dictionary<string, (JsonObject Pod, string Node)> placed, string key)
    {
        var (pod, nodeName) = placed[key];
        var node = nodes[nodeName];

        // Resources: the node's bound requests within allocatable.
        var onNode = placed.Values.Where(p => p.Node == nodeName).Select(p => SchedulingPod.FromObject(p.Pod)).ToList();
        var allocatable = ResourceList.FromObject(node["status"]!["allocatable"]);
        Assert.True(onNode.Sum(p => p.Requests.MilliCpu) <= allocatable.MilliCpu, $"cpu over on {nodeName}");
        Assert.True(onNode.Sum(p => p.Requests.MemoryBytes) <= allocatable.MemoryBytes, $"memory over on {nodeName}");
        Assert.True(onNode.Count <= allocatable.PodCount, $"pods over on {nodeName}");

        // Taints: NoSchedule and NoExecute must be tolerated.
        foreach (var taint in (node["spec"]!["taints"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var effect = ObjectFields.String(taint, "effect");
            if (effect is "NoSchedule" or "NoExecute")
                Assert.True(Tolerated(pod, taint), $"{key} on {nodeName} with untolerated {taint.ToJsonString()}");
        }

        // Spread: after placing, the chosen domain exceeds the smallest eligible one by at most maxSkew.
        foreach (var constraint in (pod["spec"]!["topologySpreadConstraints"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (ObjectFields.String(constraint, "whenUnsatisfiable") != "DoNotSchedule")
                continue;
            var selector = LabelSelector.FromObject(constraint["labelSelector"] as JsonObject);
            var eligible = nodes.Values.Where(n => n.Labels()!.ContainsKey("zone") && SelectorAdmits(pod, n)).ToList();
            var counts = eligible.GroupBy(n => ObjectFields.String(n.Labels(), "zone")!)
                .ToDictionary(g => g.Key, g => placed.Values.Count(p => g.Any(n => n.Name() == p.Node) && selector.Matches(p.Pod.Labels())));
            var zone = ObjectFields.String(node.Labels(), "zone");
            Assert.NotNull(zone);
            var skew = counts[zone] - counts.Values.Min();
            Assert.True(skew <= ObjectFields.Long(constraint, "maxSkew"), $"{key}: skew {skew} in zone {zone}");
        }

        // Anti-affinity, both ways: no pod with a required term shares a domain with a pod it selects.
        foreach (var (a, aNode) in placed.Values)
        {
            var terms = a["spec"]!["affinity"]?["podAntiAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"] as JsonArray;
            foreach (var term in (terms ?? []).OfType<JsonObject>())
            {
                var topologyKey = ObjectFields.String(term, "topologyKey")!;
                var selector = LabelSelector.FromObject(term["labelSelector"] as JsonObject);
                var domain = ObjectFields.String(nodes[aNode].Labels(), topologyKey);
                if (domain is null)
                    continue;
                foreach (var (b, bNode) in placed.Values)
                {
                    if (b != a && selector.Matches(b.Labels()) && ObjectFields.String(nodes[bNode].Labels(), topologyKey) == domain)
                        Assert.Fail($"{Key(a)} on {aNode} and {Key(b)} on {bNode} share {topologyKey}={domain}");
                }
            }
        }
    }

    static bool SelectorAdmits(JsonObject pod, JsonObject node) =>
        pod["spec"]!["nodeSelector"] is not JsonObject selector ||
        selector.All(kv => ObjectFields.String(node.Labels(), kv.Key) == kv.Value!.GetValue<string>());

    static bool Tolerated(JsonObject pod, JsonObject taint) =>
        (pod["spec"]!["tolerations"] as JsonArray ?? []).OfType<JsonObject>().Any(t =>
            (ObjectFields.String(t, "effect") is not { Length: > 0 } effect || effect == ObjectFields.String(taint, "effect")) &&
            (ObjectFields.String(t, "operator") == "Exists"
                ? ObjectFields.String(t, "key") is not { Length: > 0 } k || k == ObjectFields.String(taint, "key")
                : ObjectFields.String(t, "key") == ObjectFields.String(taint, "key") && ObjectFields.String(t, "value") == ObjectFields.String(taint, "value")));
}
