using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Desired;
using Edge.Native.HostInfo;

namespace Edge.Agent.Runtime.Images;

/// <summary>
/// kubelet's image garbage collection by disk thresholds: when the file system holding
/// containerd's images is used at or above <see cref="HighThresholdPercent"/>, unused images are
/// removed, least recently used first, until usage is back at <see cref="LowThresholdPercent"/>.
/// </summary>
/// <param name="MinimumAge">An image seen for less than this is never removed (it may be about to start).</param>
public sealed record ImageGcPolicy(int HighThresholdPercent = 85, int LowThresholdPercent = 80, TimeSpan? MinimumAge = null)
{
    public TimeSpan MinAge => MinimumAge ?? TimeSpan.FromMinutes(2);

    /// <summary>How often usage is checked (kubelet: every 5 minutes).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The thresholds as kubelet checks them: 0–100, low ≤ high; 100 turns collection off.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (HighThresholdPercent is < 0 or > 100)
        {
            problems.Add($"--image-gc-high-threshold {HighThresholdPercent} is not a percentage (0–100)");
        }

        if (LowThresholdPercent is < 0 or > 100)
        {
            problems.Add($"--image-gc-low-threshold {LowThresholdPercent} is not a percentage (0–100)");
        }

        if (LowThresholdPercent > HighThresholdPercent)
        {
            problems.Add($"--image-gc-low-threshold {LowThresholdPercent} is above --image-gc-high-threshold {HighThresholdPercent}");
        }

        return problems;
    }
}

/// <summary>What one collection found and did; short of the goal, the node gets kubelet's FreeDiskSpaceFailed event.</summary>
/// <param name="BytesToFree">What usage above the low threshold came to (0: below the high threshold, nothing to do).</param>
public sealed record ImageGcResult(long BytesToFree, long BytesFreed, IReadOnlyList<string> Removed)
{
    public bool FreedEnough => BytesFreed >= BytesToFree;
}

/// <summary>
/// Removes unused images when the image file system fills up. Never removed: images any container
/// (running or exited) uses, the pause image and every image the images dir offers (they are the
/// node's air-gapped supply: once removed, nothing could pull them back), images containerd itself
/// pins, and images younger than the minimum age. "Last used" is what this collector saw over its
/// own passes (kubelet keeps it in memory too); after a restart all images count as just seen.
/// </summary>
public sealed class ImageGarbageCollector(
    CriClient cri, ImageGcPolicy policy, Func<FileSystemStats?> imageFs, Func<IEnumerable<string>> pinnedReferences,
    IEventRecorder events, IRuntimeLog log, TimeProvider time) : IAsyncDisposable
{
    private readonly Dictionary<string, (DateTimeOffset FirstSeen, DateTimeOffset LastUsed)> _seen = new(StringComparer.Ordinal);
    private PeriodicTask? _loop;

    public void Start()
    {
        _loop = new PeriodicTask("image garbage collection", CollectAsync, policy.Period, e => e is CriException, log, time);
        _loop.Start();
    }

    /// <summary>One pass: note which images are in use, then remove unused ones if the disk is past the high threshold.</summary>
    public async Task<ImageGcResult> CollectAsync(CancellationToken cancellationToken)
    {
        var images = await cri.ListImagesAsync(cancellationToken);
        var containers = await cri.ListContainersAsync(new Dictionary<string, string>(), cancellationToken);
        var now = time.GetUtcNow();
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            inUse.Add(container.ImageRef);
            if (container.Image?.Image is { Length: > 0 } named)
            {
                inUse.Add(named);
            }
        }

        foreach (var image in images)
        {
            var used = IsUsed(image, inUse);
            _seen[image.Id] = _seen.TryGetValue(image.Id, out var seen)
                ? (seen.FirstSeen, used ? now : seen.LastUsed)
                : (now, now);
        }

        foreach (var gone in _seen.Keys.Except(images.Select(i => i.Id)).ToList())
        {
            _seen.Remove(gone);
        }

        if (policy.HighThresholdPercent >= 100 || imageFs() is not { CapacityBytes: > 0 } fs)
        {
            return new ImageGcResult(0, 0, []);
        }

        var usedBytes = fs.CapacityBytes - fs.AvailableBytes;
        if (usedBytes * 100 < fs.CapacityBytes * policy.HighThresholdPercent)
        {
            return new ImageGcResult(0, 0, []);
        }

        var toFree = usedBytes - fs.CapacityBytes * policy.LowThresholdPercent / 100;
        var pinned = pinnedReferences().Select(Normalize).ToHashSet(StringComparer.Ordinal);
        var candidates = images
            .Where(i => !IsUsed(i, inUse) && !i.Pinned && !i.RepoTags.Any(t => pinned.Contains(Normalize(t))))
            .Where(i => now - _seen[i.Id].FirstSeen >= policy.MinAge)
            .OrderBy(i => _seen[i.Id].LastUsed)
            .ThenBy(i => _seen[i.Id].FirstSeen);
        long freed = 0;
        var removed = new List<string>();
        foreach (var image in candidates)
        {
            if (freed >= toFree)
            {
                break;
            }

            var name = image.RepoTags.FirstOrDefault() ?? image.Id;
            try
            {
                await cri.RemoveImageAsync(image.Id, cancellationToken);
            }
            catch (CriException e)
            {
                log.Warn($"image garbage collection: removing {name}: {e.Detail}");
                continue;
            }

            freed += (long)image.Size;
            removed.Add(name);
            _seen.Remove(image.Id);
            log.Info($"image garbage collection: removed {name} ({image.Size / (1024 * 1024.0):F1} MiB, unused)");
        }

        var result = new ImageGcResult(toFree, freed, removed);
        if (!result.FreedEnough)
        {
            var message = $"Failed to garbage collect required amount of images. Attempted to free {toFree} bytes, but only found {freed} bytes eligible to free.";
            log.Warn($"image garbage collection: {message}");
            events.RecordForNode("Warning", "FreeDiskSpaceFailed", message);
        }

        return result;
    }

    private static bool IsUsed(Image image, HashSet<string> inUse) =>
        inUse.Contains(image.Id) || image.RepoTags.Any(inUse.Contains) || image.RepoDigests.Any(inUse.Contains);

    /// <summary>A reference as containerd names it: <c>busybox:1</c> is <c>docker.io/library/busybox:1</c>.</summary>
    internal static string Normalize(string reference)
    {
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : reference[..slash];
        var hasHost = slash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        if (hasHost)
        {
            return reference;
        }

        return slash < 0 ? $"docker.io/library/{reference}" : $"docker.io/{reference}";
    }

    public ValueTask DisposeAsync() => _loop?.DisposeAsync() ?? ValueTask.CompletedTask;
}
