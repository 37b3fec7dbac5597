namespace Edge.Controllers.Jobs;

/// <summary>How the Job controller paces replacements of failed pods.</summary>
public sealed record JobControllerOptions
{
    /// <summary>
    /// The delay before the first failed pod is replaced; it doubles with each further failure
    /// since the last success, up to <see cref="MaxPodFailureBackoff"/>. Default 10 s (upstream
    /// <c>DefaultJobPodFailureBackOff</c>).
    /// </summary>
    public TimeSpan PodFailureBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest delay before a failed pod is replaced. Default 6 min (upstream <c>MaxJobPodFailureBackOff</c>).</summary>
    public TimeSpan MaxPodFailureBackoff { get; init; } = TimeSpan.FromMinutes(6);
}
