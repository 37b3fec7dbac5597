using System.Runtime.InteropServices;
using Edge.Agent.Runtime.Images;

namespace Edge.E2E.Tests.Infrastructure;

/// <summary>
/// Images for tests that run pods, made from what Debian ships (no registry needed): busybox as an OCI
/// tarball whose only binary is <c>/bin/busybox</c> of the <c>busybox-static</c> package, with a symlink per
/// applet the tests use. Also compiled into Edge.Agent.Runtime.Tests (linked file).
/// </summary>
public static class TestImages
{
    public const string BusyboxReference = "edge.test/busybox:1";

    public const string BusyboxBinary = "/bin/busybox";

    /// <summary>Applets reachable by name on the image's PATH.</summary>
    public static readonly IReadOnlyList<string> BusyboxApplets =
    [
        "sh", "httpd", "sleep", "cat", "echo", "wget", "ls", "nc", "ps", "kill", "mkdir", "rm", "cp", "mv",
        "env", "hostname", "ip", "ping", "true", "false", "id", "date", "head", "tail", "grep", "test", "touch",
        "nslookup", "printf", "sed", "wc", "uname", "mount", "df", "top",
    ];

    /// <summary>The architecture of this machine in image terms; the image runs only where busybox does.</summary>
    public static string HostArchitecture => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        var other => throw new PlatformNotSupportedException($"no test image for {other}"),
    };

    public static OciImage Busybox(string reference = BusyboxReference)
    {
        if (!File.Exists(BusyboxBinary))
        {
            throw new FileNotFoundException($"{BusyboxBinary} is missing: install busybox-static (./build.sh prereqs)", BusyboxBinary);
        }

        var directory = (UnixFileMode)0x1ED; // 0755
        List<LayerEntry> layer =
        [
            new LayerDirectory("bin", directory),
            new LayerFile("bin/busybox", File.ReadAllBytes(BusyboxBinary), directory),
            .. BusyboxApplets.Select(applet => new LayerSymlink("bin/" + applet, "busybox")),
            new LayerDirectory("etc", directory),
            // httpd, id and ps look users up; root alone is enough.
            new LayerFile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"u8.ToArray(), (UnixFileMode)0x1A4),
            new LayerFile("etc/group", "root:x:0:\n"u8.ToArray(), (UnixFileMode)0x1A4),
            new LayerDirectory("root", (UnixFileMode)0x1C0),
            new LayerDirectory("tmp", (UnixFileMode)0x3FF | UnixFileMode.StickyBit),
            new LayerDirectory("www", directory),
        ];
        return new OciImage(reference, HostArchitecture, layer)
        {
            Cmd = ["sh"],
            Env = ["PATH=/bin"],
        };
    }

    /// <summary>Writes the busybox image as an OCI tarball at <paramref name="path"/>; returns the manifest digest.</summary>
    public static string WriteBusybox(string path, string reference = BusyboxReference)
    {
        using var file = File.Create(path);
        return OciImageWriter.Write(Busybox(reference), file);
    }
}
