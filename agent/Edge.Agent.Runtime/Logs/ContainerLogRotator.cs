using System.Globalization;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Pods;

namespace Edge.Agent.Runtime.Logs;

/// <summary>
/// Size-based rotation of the CRI log files, kubelet's policy: a running container's log past
/// <see cref="RuntimeOptions.ContainerLogMaxSize"/> moves to <c>&lt;n&gt;.log.&lt;UTC time&gt;</c>, and at
/// most <see cref="RuntimeOptions.ContainerLogMaxFiles"/> files per container instance are kept, the
/// oldest rotated ones deleted first. On an SD card this is what keeps a chatty pod from filling it.
/// The move is copy-then-truncate rather than kubelet's rename + <c>ReopenContainerLog</c>: a
/// <c>kubectl logs -f</c> in progress keeps reading the same file (it notices the truncation and
/// starts again at its beginning), where a rename would leave it on a file nobody writes. containerd
/// appends (O_APPEND), so after the truncation it writes at the start of the same file; the lines
/// written between the copy and the truncation (milliseconds) are lost.
/// </summary>
public sealed class ContainerLogRotator(CriClient cri, RuntimeOptions options, IRuntimeLog log, TimeProvider time) : IAsyncDisposable
{
    private PeriodicTask? _loop;

    public void Start()
    {
        _loop = new PeriodicTask("log rotation", RotateOnceAsync, options.LogRotationInterval,
            e => e is CriException or IOException or UnauthorizedAccessException, log, time);
        _loop.Start();
    }

    /// <summary>One pass over the running containers this agent made.</summary>
    public async Task RotateOnceAsync(CancellationToken cancellationToken)
    {
        var managed = new Dictionary<string, string> { [CriLabels.ManagedBy] = CriLabels.ManagedByValue };
        foreach (var container in await cri.ListContainersAsync(managed, cancellationToken))
        {
            if (container.State != ContainerState.ContainerRunning)
            {
                continue;
            }

            ContainerStatus status;
            try
            {
                status = await cri.ContainerStatusAsync(container.Id, cancellationToken);
            }
            catch (CriException e) when (e.IsNotFound)
            {
                continue;
            }

            var path = status.LogPath;
            if (string.IsNullOrEmpty(path) || !File.Exists(path))
            {
                continue;
            }

            if (new FileInfo(path).Length > options.ContainerLogMaxSize)
            {
                var rotated = $"{path}.{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss.fff", CultureInfo.InvariantCulture)}";
                File.Copy(path, rotated);
                using var current = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                current.SetLength(0);
            }

            Prune(path);
        }
    }

    /// <summary>Keeps the current file and the newest rotated ones, <see cref="RuntimeOptions.ContainerLogMaxFiles"/> in all.</summary>
    private void Prune(string path)
    {
        var dir = Path.GetDirectoryName(path)!;
        var prefix = Path.GetFileName(path) + ".";
        // Filtered by hand: Win32-style patterns would let "0.log.*" match "0.log" itself.
        var rotated = Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal))
            .OrderDescending(StringComparer.Ordinal).ToArray();
        foreach (var old in rotated.Skip(Math.Max(0, options.ContainerLogMaxFiles - 1)))
        {
            File.Delete(old);
        }
    }

    public ValueTask DisposeAsync() => _loop?.DisposeAsync() ?? ValueTask.CompletedTask;
}
