using Edge.Agent.Health;
using Edge.Native.HostInfo;

namespace Edge.Agent.Tests.Health;

/// <summary>
/// The recorded trees under <c>Health/Fixtures</c>: a Raspberry Pi 4 on a weak supply, a hot x86
/// box, a box out of memory, PIDs and disk, and an ordinary VM without sensors.
/// </summary>
internal static class Fixtures
{
    public const string Pi = "pi-undervoltage";
    public const string HotX86 = "hot-x86";
    public const string FullDisk = "full-disk";
    public const string Ordinary = "ordinary";

    public static string Root(string name) => Path.Combine(AppContext.BaseDirectory, "Health", "Fixtures", name);

    /// <summary>A 29 GiB SD card with room to spare (statvfs numbers of a Pi's root file system).</summary>
    public static readonly FileSystemStats RoomyDisk = new(31_154_647_040, 22_581_035_008, 1_905_008, 1_713_330, 0xb3e4);

    /// <summary>The same card filled by container logs: 3% space and 20% inodes left.</summary>
    public static readonly FileSystemStats NearlyFullDisk = new(31_154_647_040, 934_639_411, 1_905_008, 381_001, 0xb3e4);

    /// <summary>Everything the fixture tree exposes, with the file systems and server clock a test gives.</summary>
    public static NodeSignals Signals(string name, FileSystemStats? disk = null, ServerClockSample? clock = null)
    {
        var root = Root(name);
        var fs = disk ?? RoomyDisk;
        return new NodeSignals(
            MemoryStats.Read(root), fs, fs, PidStats.Read(root), ThermalZone.ReadAll(root),
            RaspberryPiPower.Throttled(root), RaspberryPiPower.UnderVoltageAlarm(root), clock);
    }
}
