namespace Edge.Scheduler.Framework;

internal enum StatusCode
{
    Success,
    /// <summary>Does not fit now; preempting pods on the node might help.</summary>
    Unschedulable,
    /// <summary>Does not fit and removing pods would not change that (taints, affinity, labels).</summary>
    UnschedulableAndUnresolvable,
}

/// <summary>A plugin's verdict. Constant verdicts are shared instances: filters run per node and must not allocate to say yes.</summary>
internal sealed class Status
{
    Status(StatusCode code, string[] reasons)
    {
        Code = code;
        Reasons = reasons;
    }

    public static Status Success { get; } = new(StatusCode.Success, []);

    public StatusCode Code { get; }
    public string[] Reasons { get; }
    public bool IsSuccess => Code == StatusCode.Success;

    public static Status Unschedulable(params string[] reasons) => new(StatusCode.Unschedulable, reasons);

    public static Status Unresolvable(params string[] reasons) => new(StatusCode.UnschedulableAndUnresolvable, reasons);
}
