using Edge.Native;

namespace Edge.Agent.Runtime.Images;

/// <summary>
/// Serves the image archives of the images dir as a read-only OCI registry on 127.0.0.1, so containerd's
/// CRI pulls (and its pull of the sandbox image) work with no network. Archives added later are served
/// without a restart: a change in the dir or a lookup that misses rescans it.
/// </summary>
/// <remarks>
/// Lifecycle for <c>edge-agent run</c>: <see cref="StartAsync"/>, then <see cref="WriteHostsConfig"/> into
/// the certs dir containerd's CRI <c>registry.config_path</c> names, then <see cref="DisposeAsync"/> at exit.
/// </remarks>
public sealed class ImageMirror : IAsyncDisposable, ICatalogSource
{
    private readonly ImageMirrorOptions _options;
    private readonly Action<string> _log;
    private readonly ImageScanner _scanner;
    private readonly Lock _scanLock = new();
    private readonly TimeProvider _time;
    private volatile ImageCatalog _catalog = ImageCatalog.Empty;
    private long _lastScan;
    private volatile bool _changed;
    private RegistryServer? _server;
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;

    /// <param name="log">Receives one line per archive that cannot be read and per server problem.</param>
    public ImageMirror(ImageMirrorOptions options, Action<string> log, TimeProvider? time = null)
    {
        _options = options;
        _log = log;
        _time = time ?? TimeProvider.System;
        _scanner = new ImageScanner(options.ImagesDir, options.CacheDir);
    }

    /// <summary>The images being served now.</summary>
    public ImageCatalog Catalog => _catalog;

    ImageCatalog ICatalogSource.Current => _catalog;

    /// <summary>The port the registry listens on (after <see cref="StartAsync"/>).</summary>
    public int Port => _server?.Port ?? throw new InvalidOperationException("the image mirror is not started");

    /// <summary>The registry's base address, <c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>Scans the images dir (creating it), starts watching it, and starts serving.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(_options.ImagesDir);
        Rescan();
        _debounce = _time.CreateTimer(_ => Rescan(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(_options.ImagesDir) { IncludeSubdirectories = false };
        // Copying a large archive raises many events: rescan once they settle.
        FileSystemEventHandler changed = (_, _) =>
        {
            _changed = true;
            _debounce.Change(TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
        };
        _watcher.Created += changed;
        _watcher.Changed += changed;
        _watcher.Deleted += changed;
        _watcher.Renamed += (sender, e) => changed(sender, e);
        _watcher.EnableRaisingEvents = true;
        _server = new RegistryServer(this, _log);
        _server.Start(_options.Port);
        return Task.CompletedTask;
    }

    /// <summary>Reads the images dir again now; returns the new catalog.</summary>
    public ImageCatalog Rescan()
    {
        lock (_scanLock)
        {
            var problems = new List<string>();
            // Cleared before the scan: a change during it is seen by the next one.
            _changed = false;
            try
            {
                _catalog = _scanner.Scan(problems);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"cannot scan {_options.ImagesDir}: {e.Message}");
            }

            Interlocked.Exchange(ref _lastScan, _time.GetTimestamp());
            foreach (var problem in problems)
            {
                _log($"image mirror: skipping {problem}");
            }

            return _catalog;
        }
    }

    /// <summary>The archives that could not be read at the last scan, each with why.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_scanLock)
            {
                return _scanner.Problems;
            }
        }
    }

    /// <summary>A miss right after an import must not wait for the debounce: the dir changed, so look now.</summary>
    ImageCatalog ICatalogSource.RescanAfterMiss() =>
        _changed || _time.GetElapsedTime(Interlocked.Read(ref _lastScan)) >= _options.RescanOnMissInterval ? Rescan() : _catalog;

    /// <summary>
    /// Writes <c>&lt;certsDir&gt;/_default/hosts.toml</c>: every registry without a directory of its own
    /// (containerd's rule for <c>_default</c>) is tried through this mirror first, for tags and blobs, over
    /// plain HTTP. A 404 here lets containerd go on to the registry itself when the device has a network.
    /// </summary>
    public void WriteHostsConfig(string certsDir)
    {
        var dir = Path.Combine(certsDir, "_default");
        Directory.CreateDirectory(dir);
        AtomicFile.WriteText(Path.Combine(dir, "hosts.toml"), HostsToml(Port), AtomicFile.WorldReadable);
    }

    internal static string HostsToml(int port) =>
        $"""
        # Written by edge-agent at every start: the agent's local image mirror (air-gapped images).
        [host."http://127.0.0.1:{port}"]
          capabilities = ["pull", "resolve"]

        """;

    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        if (_debounce is not null)
        {
            await _debounce.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
