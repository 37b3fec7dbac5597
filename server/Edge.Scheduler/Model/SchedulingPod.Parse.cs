using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Scheduler.Model;

public sealed partial class SchedulingPod
{
    const long DefaultMilliCpuRequest = 100;
    const long DefaultMemoryRequest = 200L * 1024 * 1024;

    public static SchedulingPod FromObject(JsonObject pod)
    {
        var ns = pod.Namespace() ?? "default";
        var spec = pod["spec"] as JsonObject ?? [];
        var status = pod["status"] as JsonObject;
        var (labels, labelMap) = CopyLabels(pod.Labels());
        var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var initContainers = (spec["initContainers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var (requests, nonZeroCpu, nonZeroMemory) = EffectiveRequests(containers, initContainers, spec["overhead"]);
        var affinity = spec["affinity"] as JsonObject;
        var nodeAffinity = affinity?["nodeAffinity"] as JsonObject;
        var required = nodeAffinity?["requiredDuringSchedulingIgnoredDuringExecution"] as JsonObject;
        var phase = ObjectFields.String(status, "phase");
        var priority = ObjectFields.Long(spec, "priority");

        return new SchedulingPod
        {
            Namespace = ns,
            Name = pod.Name() ?? "",
            Uid = pod.Uid() ?? "",
            Labels = labels,
            LabelMap = labelMap,
            NodeName = ObjectFields.String(spec, "nodeName") ?? "",
            SchedulerName = ObjectFields.String(spec, "schedulerName") ?? "",
            NominatedNodeName = ObjectFields.String(status, "nominatedNodeName") ?? "",
            Terminating = pod.DeletionTimestamp() is not null,
            Finished = phase is "Succeeded" or "Failed",
            StartTime = ObjectFields.ParseTimestamp(ObjectFields.String(status, "startTime")),
            SpecPriority = priority is { } p ? (int)Math.Clamp(p, int.MinValue, int.MaxValue) : null,
            PriorityClassName = ObjectFields.String(spec, "priorityClassName") ?? "",
            NeverPreempts = ObjectFields.String(spec, "preemptionPolicy") == "Never",
            Requests = requests,
            NonZeroMilliCpu = nonZeroCpu,
            NonZeroMemory = nonZeroMemory,
            Tolerations = Objects(spec["tolerations"]).Select(Toleration.FromObject).ToArray(),
            NodeSelector = spec["nodeSelector"] is JsonObject selector
                ? selector.Select(kv => (kv.Key, kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")).ToArray()
                : [],
            RequiredNodeAffinity = required is null ? null : Objects(required["nodeSelectorTerms"]).Select(NodeSelectorTerm.FromObject).ToArray(),
            PreferredNodeAffinity = Objects(nodeAffinity?["preferredDuringSchedulingIgnoredDuringExecution"])
                .Select(t => new WeightedNodeSelectorTerm((int)(ObjectFields.Long(t, "weight") ?? 0), NodeSelectorTerm.FromObject(t["preference"] as JsonObject ?? [])))
                .ToArray(),
            HostPorts = ParseHostPorts(containers),
            RequiredAffinity = RequiredTerms(affinity?["podAffinity"], ns),
            RequiredAntiAffinity = RequiredTerms(affinity?["podAntiAffinity"], ns),
            PreferredAffinity = PreferredTerms(affinity?["podAffinity"], ns),
            PreferredAntiAffinity = PreferredTerms(affinity?["podAntiAffinity"], ns),
            SpreadConstraints = Objects(spec["topologySpreadConstraints"]).Select(c => TopologySpreadConstraint.FromObject(c, labels)).ToArray(),
            Images = initContainers.Concat(containers).Select(c => NormalizeImage(ObjectFields.String(c, "image") ?? "")).ToArray(),
        };
    }

    /// <summary>Upstream ImageLocality's <c>normalizedImageName</c>: an untagged name means <c>:latest</c>.</summary>
    public static string NormalizeImage(string image) =>
        image.LastIndexOf(':') <= image.LastIndexOf('/') ? image + ":latest" : image;

    static (JsonObject?, Dictionary<string, string>?) CopyLabels(JsonObject? labels)
    {
        if (labels is null || labels.Count == 0)
            return (null, null);
        var copy = new JsonObject();
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels)
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            copy[key] = text;
            map[key] = text;
        }
        return (copy, map);
    }

    static IEnumerable<JsonObject> Objects(JsonNode? array) => (array as JsonArray ?? []).OfType<JsonObject>();

    static PodAffinityTerm[] RequiredTerms(JsonNode? affinity, string ns) =>
        Objects(affinity?["requiredDuringSchedulingIgnoredDuringExecution"]).Select(t => PodAffinityTerm.FromObject(t, ns)).ToArray();

    static PodAffinityTerm[] PreferredTerms(JsonNode? affinity, string ns) =>
        Objects(affinity?["preferredDuringSchedulingIgnoredDuringExecution"])
            .Select(t => PodAffinityTerm.FromObject(t["podAffinityTerm"] as JsonObject ?? [], ns, (int)(ObjectFields.Long(t, "weight") ?? 0)))
            .ToArray();

    static HostPort[] ParseHostPorts(List<JsonObject> containers)
    {
        var ports = new List<HostPort>();
        foreach (var container in containers)
        {
            foreach (var port in Objects(container["ports"]))
            {
                if (ObjectFields.Long(port, "hostPort") is { } hostPort && hostPort > 0)
                    ports.Add(new HostPort(ObjectFields.String(port, "protocol") ?? "TCP", ObjectFields.String(port, "hostIP") ?? "", (int)hostPort));
            }
        }
        return ports.ToArray();
    }

    /// <summary>
    /// As upstream <c>resourcehelper.PodRequests</c>: containers add up, an init container runs
    /// alone beside the restartable (sidecar) init containers started before it, the pod needs the
    /// larger of the two phases, plus the runtime's overhead.
    /// </summary>
    static (ResourceList Requests, long NonZeroCpu, long NonZeroMemory) EffectiveRequests(List<JsonObject> containers, List<JsonObject> initContainers, JsonNode? overhead)
    {
        var sum = new ResourceList();
        long nonZeroCpu = 0, nonZeroMemory = 0;
        foreach (var container in containers)
        {
            var requests = ContainerRequests(container);
            sum.Add(requests);
            nonZeroCpu += requests.MilliCpu == 0 ? DefaultMilliCpuRequest : requests.MilliCpu;
            nonZeroMemory += requests.MemoryBytes == 0 ? DefaultMemoryRequest : requests.MemoryBytes;
        }

        var sidecars = new ResourceList();
        var initMax = new ResourceList();
        foreach (var container in initContainers)
        {
            var requests = ContainerRequests(container);
            if (ObjectFields.String(container, "restartPolicy") == "Always")
            {
                sum.Add(requests);
                sidecars.Add(requests);
                initMax.Max(sidecars);
            }
            else
            {
                var phase = requests.Clone();
                phase.Add(sidecars);
                initMax.Max(phase);
            }
            nonZeroCpu = Math.Max(nonZeroCpu, requests.MilliCpu == 0 ? DefaultMilliCpuRequest : requests.MilliCpu);
            nonZeroMemory = Math.Max(nonZeroMemory, requests.MemoryBytes == 0 ? DefaultMemoryRequest : requests.MemoryBytes);
        }
        sum.Max(initMax);

        var podOverhead = ResourceList.FromObject(overhead);
        sum.Add(podOverhead);
        sum.PodCount = 1;
        return (sum, nonZeroCpu + podOverhead.MilliCpu, nonZeroMemory + podOverhead.MemoryBytes);
    }

    static ResourceList ContainerRequests(JsonObject container)
    {
        var resources = container["resources"] as JsonObject;
        // Upstream defaulting copies limits into missing requests; a pod read from the API has that
        // already, a pod built by hand may not.
        var requests = ResourceList.FromObject(resources?["requests"]);
        var limits = ResourceList.FromObject(resources?["limits"]);
        foreach (var name in LimitNames(resources?["limits"]))
        {
            if (resources?["requests"] is not JsonObject r || !r.ContainsKey(name))
                requests.Set(name, limits.Get(name));
        }
        return requests;
    }

    static IEnumerable<string> LimitNames(JsonNode? limits) => limits is JsonObject o ? o.Select(kv => kv.Key) : [];
}
