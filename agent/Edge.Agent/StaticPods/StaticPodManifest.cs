using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Pods;

namespace Edge.Agent.StaticPods;

/// <summary>
/// A manifest document turned into the pod the runtime runs, as kubelet's file source does
/// (<c>pkg/kubelet/config/common.go</c>): the name gets <c>-&lt;node&gt;</c>, the uid is a hash of the
/// document, its file and the node (stable across restarts, new when the file changes), and the
/// spec gets the defaults the API server would give it, because the runtime expects defaulted pods.
/// </summary>
public static class StaticPodManifest
{
    /// <summary>The pods of one file's documents; documents of other kinds are skipped, a broken pod throws.</summary>
    public static IReadOnlyList<StaticPod> Parse(string file, string text, string nodeName, DateTimeOffset seen)
    {
        var json = file.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var pods = new List<StaticPod>();
        foreach (var document in ManifestDocuments.Read(text, json))
        {
            if (Text(document.Object, "kind") != "Pod")
            {
                continue;
            }

            try
            {
                pods.Add(ToPod(file, document.Object, nodeName, seen));
            }
            catch (FormatException e)
            {
                throw new ManifestException($"line {document.Line}: {e.Message}");
            }
        }

        return pods;
    }

    private static StaticPod ToPod(string file, JsonObject document, string nodeName, DateTimeOffset seen)
    {
        if (Text(document, "apiVersion") != "v1")
        {
            throw new FormatException("a Pod must have apiVersion v1");
        }

        var hash = Hash(file, nodeName, document);
        var pod = (JsonObject)document.DeepClone();
        var metadata = pod["metadata"] as JsonObject ?? throw new FormatException("the pod has no metadata");
        var name = Text(metadata, "name") is { Length: > 0 } n ? n : throw new FormatException("the pod has no metadata.name");
        var fullName = $"{name}-{nodeName}";
        if (!Cli.AgentCommands.IsDnsSubdomain(fullName))
        {
            throw new FormatException($"the pod's name \"{fullName}\" is not a DNS subdomain");
        }

        var ns = Text(metadata, "namespace") is { Length: > 0 } given ? given : "default";
        metadata["name"] = fullName;
        metadata["namespace"] = ns;
        metadata["uid"] = hash;
        foreach (var serverOwned in new[] { "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "managedFields", "ownerReferences" })
        {
            metadata.Remove(serverOwned);
        }

        var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
        metadata["annotations"] = annotations;
        annotations[StaticPodAnnotations.Source] = StaticPodAnnotations.FileSource;
        annotations[StaticPodAnnotations.Hash] = hash;
        annotations[StaticPodAnnotations.Seen] = seen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        annotations.Remove(StaticPodAnnotations.Mirror);

        var spec = pod["spec"] as JsonObject ?? throw new FormatException("the pod has no spec");
        if (spec["containers"] is not JsonArray { Count: > 0 })
        {
            throw new FormatException("the pod has no containers");
        }

        spec["nodeName"] = nodeName;
        Default(spec);
        pod["status"] = new JsonObject { ["phase"] = "Pending" };
        // PodView classifies a pod without status.qosClass and checks that its containers are well formed.
        ((JsonObject)pod["status"]!)["qosClass"] = PodView.Parse(pod).QosClass;
        return new StaticPod(hash, ns, fullName, file, pod);
    }

    /// <summary>
    /// The API server's pod defaults (its <c>PodSpecRules.Default</c> and pod strategy), minus the
    /// service account a static pod may not have, plus kubelet's toleration of every NoExecute taint.
    /// </summary>
    private static void Default(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["securityContext"] ??= new JsonObject();
        spec["enableServiceLinks"] ??= true;
        spec["priority"] ??= 0;
        var tolerations = spec["tolerations"] as JsonArray ?? new JsonArray();
        spec["tolerations"] = tolerations;
        tolerations.Add((JsonNode)new JsonObject { ["operator"] = "Exists", ["effect"] = "NoExecute" });
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var container in (spec[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                container["terminationMessagePath"] ??= "/dev/termination-log";
                container["terminationMessagePolicy"] ??= "File";
                container["imagePullPolicy"] ??= ImageReference.HasLatestOrNoTag(Text(container, "image") ?? "") ? "Always" : "IfNotPresent";
                container["resources"] ??= new JsonObject();
                foreach (var port in (container["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    port["protocol"] ??= "TCP";
                }
            }
        }
    }

    /// <summary>32 hex digits (kubelet's md5 length) of SHA-256 over the file's path, the node and the document.</summary>
    internal static string Hash(string file, string nodeName, JsonObject document)
    {
        var bytes = Encoding.UTF8.GetBytes($"file:{file}\nnode:{nodeName}\n{document.ToJsonString()}");
        return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16));
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
