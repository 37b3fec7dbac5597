using Microsoft.Extensions.Logging;

namespace Edge.Scheduler;

internal static partial class SchedulerLog
{
    [LoggerMessage(1, LogLevel.Debug, "scheduled {Pod} on {Node} ({Feasible} feasible of {Evaluated} evaluated nodes)")]
    public static partial void Scheduled(ILogger logger, string pod, string node, int feasible, int evaluated);

    [LoggerMessage(2, LogLevel.Debug, "{Pod} is unschedulable: {Message}")]
    public static partial void Unschedulable(ILogger logger, string pod, string message);

    [LoggerMessage(3, LogLevel.Warning, "binding {Pod} to {Node} failed; retrying after backoff: {Reason}")]
    public static partial void BindFailed(ILogger logger, string pod, string node, string reason);

    [LoggerMessage(4, LogLevel.Information, "{Pod} preempts {Victims} pod(s) on {Node}")]
    public static partial void Preempting(ILogger logger, string pod, int victims, string node);

    [LoggerMessage(5, LogLevel.Warning, "evicting {Victim} for {Pod} failed: {Reason}")]
    public static partial void EvictFailed(ILogger logger, string victim, string pod, string reason);

    [LoggerMessage(6, LogLevel.Warning, "reporting on {Pod} failed: {Reason}")]
    public static partial void ReportFailed(ILogger logger, string pod, string reason);
}
