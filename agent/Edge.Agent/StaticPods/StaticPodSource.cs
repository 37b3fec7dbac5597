using System.Collections.Concurrent;
using Edge.Agent.Runtime;

namespace Edge.Agent.StaticPods;

/// <summary>
/// The static pods of a manifest directory (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>; dotfiles ignored,
/// as kubelet does): read at start, again on every change the watcher reports and every
/// <see cref="RescanInterval"/> (a watcher misses changes on some file systems and across a
/// directory that appears later). A broken file is logged with its line and skipped; the others run.
/// </summary>
public sealed class StaticPodSource(string directory, string nodeName, IRuntimeLog log, TimeProvider time)
{
    /// <summary>kubelet's file check frequency.</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(20);

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Text, IReadOnlyList<StaticPod> Pods)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _everSeen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);
    private IReadOnlyDictionary<string, StaticPod> _current = new Dictionary<string, StaticPod>();
    private TaskCompletionSource<IReadOnlyDictionary<string, StaticPod>> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Directory => directory;

    /// <summary>The static pods by uid; a new instance per change.</summary>
    public IReadOnlyDictionary<string, StaticPod> Current => Volatile.Read(ref _current);

    /// <summary>Whether <paramref name="uid"/> is (or was, before its file changed or went) a static pod of this source.</summary>
    public bool IsStatic(string uid) => _everSeen.ContainsKey(uid);

    /// <summary>Completes with the current pods once they are a different instance than <paramref name="seen"/>.</summary>
    public async Task<IReadOnlyDictionary<string, StaticPod>> NextAsync(IReadOnlyDictionary<string, StaticPod>? seen, CancellationToken cancellationToken)
    {
        Task<IReadOnlyDictionary<string, StaticPod>> next;
        lock (_lock)
        {
            if (!ReferenceEquals(_current, seen))
            {
                return _current;
            }

            next = _next.Task;
        }

        return await next.WaitAsync(cancellationToken);
    }

    /// <summary>Reads the directory now; publishes a new set when any pod changed.</summary>
    public void Rescan()
    {
        var files = ListFiles();
        lock (_lock)
        {
            var changed = false;
            foreach (var gone in _files.Keys.Except(files.Select(f => f.Path)).ToArray())
            {
                _files.Remove(gone);
                log.Info($"static pod manifest {gone} is gone");
                changed = true;
            }

            foreach (var (path, text) in files)
            {
                if (_files.TryGetValue(path, out var known) && known.Text == text)
                {
                    continue;
                }

                IReadOnlyList<StaticPod> pods;
                try
                {
                    pods = StaticPodManifest.Parse(path, text, nodeName, time.GetUtcNow());
                }
                catch (ManifestException e)
                {
                    log.Error($"static pod manifest {path}: {e.Message}; skipping the file");
                    pods = [];
                }

                _files[path] = (text, pods);
                changed = true;
            }

            if (changed)
            {
                Publish();
            }
        }
    }

    /// <summary>Watches and rescans until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                watcher ??= TryWatch();
                Rescan();
                try
                {
                    // A burst of events (an editor's write, rename and chmod) becomes one rescan.
                    if (await _changed.WaitAsync(RescanInterval, stop))
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(200), time, stop);
                        while (_changed.CurrentCount > 0)
                        {
                            await _changed.WaitAsync(stop);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            watcher?.Dispose();
        }
    }

    private FileSystemWatcher? TryWatch()
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = false };
        FileSystemEventHandler wake = (_, _) => _changed.Release();
        watcher.Created += wake;
        watcher.Changed += wake;
        watcher.Deleted += wake;
        watcher.Renamed += (_, _) => _changed.Release();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private List<(string Path, string Text)> ListFiles()
    {
        var files = new List<(string, string)>();
        if (!System.IO.Directory.Exists(directory))
        {
            return files;
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') || !Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            try
            {
                files.Add((path, File.ReadAllText(path)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed between the listing and the read, or unreadable: it counts as absent.
                log.Warn($"static pod manifest {path} cannot be read: {e.Message}");
            }
        }

        return files;
    }

    /// <summary>The pods of all files; the first file (by name) wins a pod name given twice, as kubelet's first source does.</summary>
    private void Publish()
    {
        var pods = new Dictionary<string, StaticPod>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, (_, filePods)) in _files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            foreach (var pod in filePods)
            {
                if (names.TryGetValue(pod.FullName, out var first))
                {
                    log.Error($"static pod manifest {path}: pod {pod.FullName} is already defined in {first}; skipping it");
                    continue;
                }

                names[pod.FullName] = path;
                pods[pod.Uid] = pod;
                _everSeen.TryAdd(pod.Uid, 0);
            }
        }

        Volatile.Write(ref _current, pods);
        var waiting = _next;
        _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.TrySetResult(pods);
    }
}
