using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>A host port (protocol, IP, port) can be bound once per node; 0.0.0.0 conflicts with every IP.</summary>
internal sealed class NodePortsPlugin : IFilterPlugin
{
    public const string Reason = "node(s) didn't have free ports for the requested pod ports";
    static readonly Status Conflict = Status.Unschedulable(Reason);

    public string Name => "NodePorts";

    public Status Filter(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        foreach (var wanted in pod.HostPorts)
        {
            foreach (var used in node.UsedPorts)
            {
                if (wanted.ConflictsWith(used))
                    return Conflict;
            }
        }
        return Status.Success;
    }
}
