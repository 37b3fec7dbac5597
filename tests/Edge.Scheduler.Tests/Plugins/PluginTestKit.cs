using System.Text.Json.Nodes;
using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Tests.Plugins;

internal static class PluginTestKit
{
    public static SchedulingPod Pod(JsonObject pod) => SchedulingPod.FromObject(pod);

    public static NodeInfo Info(JsonObject node, params JsonObject[] pods)
    {
        var info = new NodeInfo(SchedulingNode.FromObject(node));
        foreach (var pod in pods)
            info.AddPod(SchedulingPod.FromObject(pod));
        return info;
    }

    public static ClusterState Cluster(params (JsonObject Node, JsonObject[] Pods)[] nodes)
    {
        var cluster = new ClusterState();
        foreach (var (node, pods) in nodes)
        {
            cluster.AddOrUpdateNode(SchedulingNode.FromObject(node));
            foreach (var pod in pods)
            {
                pod["spec"]!["nodeName"] = node["metadata"]!["name"]!.GetValue<string>();
                cluster.AddOrUpdatePod(SchedulingPod.FromObject(pod));
            }
        }
        return cluster;
    }

    public static JsonObject Labels(params (string Key, string Value)[] labels)
    {
        var o = new JsonObject();
        foreach (var (k, v) in labels)
            o[k] = v;
        return o;
    }

    public static string[] Reasons(Status status) => status.Reasons;
}
