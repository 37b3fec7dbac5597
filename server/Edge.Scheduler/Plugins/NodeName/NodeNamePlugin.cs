using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>A pod that names its node fits only that node.</summary>
internal sealed class NodeNamePlugin : IFilterPlugin
{
    public const string Reason = "node(s) didn't match the requested node name";
    static readonly Status Mismatch = Status.Unresolvable(Reason);

    public string Name => "NodeName";

    public Status Filter(CycleState state, SchedulingPod pod, NodeInfo node) =>
        pod.NodeName.Length == 0 || pod.NodeName == node.Name ? Status.Success : Mismatch;
}
