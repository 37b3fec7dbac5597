using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>Cordoned nodes (<c>spec.unschedulable</c>) take only pods that tolerate the unschedulable taint.</summary>
internal sealed class NodeUnschedulablePlugin : IFilterPlugin
{
    public const string Reason = "node(s) were unschedulable";
    static readonly Status Cordoned = Status.Unresolvable(Reason);
    static readonly Taint UnschedulableTaint = new("node.kubernetes.io/unschedulable", "", TaintEffect.NoSchedule);

    public string Name => "NodeUnschedulable";

    public Status Filter(CycleState state, SchedulingPod pod, NodeInfo node) =>
        !node.Node.Unschedulable || Toleration.AnyTolerates(pod.Tolerations, UnschedulableTaint) ? Status.Success : Cordoned;
}
