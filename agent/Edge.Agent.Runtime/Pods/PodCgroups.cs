namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// A pod's cgroup folders on the host. runc removes each container's cgroup but never the pod's
/// parent (<c>&lt;root&gt;/&lt;qos&gt;/pod&lt;uid&gt;</c>) in any hierarchy, and a container cgroup can linger for a
/// moment after its sandbox is gone; what is left empty is removed here, bottom-up (rmdir is the only
/// way to delete a cgroup; its control files cannot be deleted).
/// </summary>
public static class PodCgroups
{
    /// <summary>The pod's folder in every hierarchy (v1) or the unified tree (v2), under each QoS class's parent.</summary>
    public static IEnumerable<string> Directories(string cgroupFsRoot, string cgroupRoot, string uid)
    {
        if (!Directory.Exists(cgroupFsRoot))
        {
            return [];
        }

        var hierarchies = File.Exists(Path.Combine(cgroupFsRoot, "cgroup.controllers"))
            ? [cgroupFsRoot]
            : Directory.EnumerateDirectories(cgroupFsRoot).Where(d => new DirectoryInfo(d).LinkTarget is null).ToArray();
        var root = cgroupRoot.TrimStart('/');
        return hierarchies.SelectMany(h => new[] { "", "burstable", "besteffort" }.Select(qos => Path.Combine(h, root, qos, "pod" + uid)))
            .Where(Directory.Exists)
            .ToArray();
    }

    /// <summary>Removes the pod's folders, retrying briefly while runc finishes; returns those still there.</summary>
    public static async Task<IReadOnlyList<string>> RemoveAsync(string cgroupFsRoot, string cgroupRoot, string uid, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> left = [];
        for (var attempt = 0; attempt < 20; attempt++)
        {
            left = Directories(cgroupFsRoot, cgroupRoot, uid).Where(dir => !TryRemoveTree(dir)).ToArray();
            if (left.Count == 0)
            {
                return left;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        return left;
    }

    private static bool TryRemoveTree(string dir)
    {
        try
        {
            foreach (var child in Directory.EnumerateDirectories(dir))
            {
                TryRemoveTree(child);
            }

            Directory.Delete(dir);
            return true;
        }
        catch (IOException)
        {
            return false; // Still holds a process (or a child that does).
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
