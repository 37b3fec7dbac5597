using Edge.Native.HostInfo;

namespace Edge.Agent.Tests.Health;

/// <summary>The native readers on the recorded trees, and statvfs on this machine.</summary>
public sealed class HostSignalReaderTests
{
    [Fact]
    public void MemoryStats_Pi_ReadsMemAvailableInBytes()
    {
        Assert.Equal(new MemoryStats(3881024L * 1024, 2412280L * 1024), MemoryStats.Read(Fixtures.Root(Fixtures.Pi)));
    }

    [Fact]
    public void MemoryStats_NoMemAvailableLine_IsNull()
    {
        var root = Directory.CreateTempSubdirectory("edge-mem-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "proc"));
            File.WriteAllText(Path.Combine(root, "proc/meminfo"), "MemTotal: 1000 kB\nMemFree: 10 kB\n");

            Assert.Null(MemoryStats.Read(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void PidStats_LimitIsTheSmallerOfPidMaxAndThreadsMax()
    {
        var pids = PidStats.Read(Fixtures.Root(Fixtures.Pi))!;

        Assert.Equal(412, pids.InUse);
        Assert.Equal(29957, pids.Max);
        Assert.Equal(29545, pids.Available);
    }

    [Fact]
    public void PidStats_NoProc_IsNull() => Assert.Null(PidStats.Read(Path.Combine(Fixtures.Root(Fixtures.Ordinary), "sys")));

    [Fact]
    public void ThermalZones_HotX86_ReadsTypesTempsAndTripPoints()
    {
        var zones = ThermalZone.ReadAll(Fixtures.Root(Fixtures.HotX86));

        Assert.Equal(["thermal_zone0", "thermal_zone1"], zones.Select(z => z.Name));
        Assert.Null(zones[0].ThrottlePoint);
        Assert.Equal("x86_pkg_temp", zones[1].Type);
        Assert.Equal(97000, zones[1].MilliCelsius);
        Assert.Equal(new TripPoint("passive", 95000), zones[1].ThrottlePoint);
    }

    [Fact]
    public void ThermalZones_PiWithOnlyACriticalTrip_ThrottlesThere() =>
        Assert.Equal(new TripPoint("critical", 110000), ThermalZone.ReadAll(Fixtures.Root(Fixtures.Pi)).Single().ThrottlePoint);

    [Fact]
    public void ThermalZones_NoSysClassThermal_IsEmpty() => Assert.Empty(ThermalZone.ReadAll(Fixtures.Root(Fixtures.Ordinary)));

    [Fact]
    public void RaspberryPiPower_Pi_ReadsHexFlagsAndTheRpiVoltAlarm()
    {
        var root = Fixtures.Root(Fixtures.Pi);
        var flags = RaspberryPiPower.Throttled(root)!.Value;

        Assert.Equal(0x50005u, flags.Value);
        Assert.True(flags.UnderVoltage);
        Assert.True(flags.Throttled);
        Assert.False(flags.FrequencyCapped);
        Assert.False(flags.SoftTemperatureLimit);
        Assert.True(RaspberryPiPower.UnderVoltageAlarm(root));
    }

    [Fact]
    public void RaspberryPiPower_X86WithOtherHwmon_IsNull()
    {
        var root = Fixtures.Root(Fixtures.HotX86);

        Assert.Null(RaspberryPiPower.Throttled(root));
        Assert.Null(RaspberryPiPower.UnderVoltageAlarm(root));
    }

    [Fact]
    public void FileSystemStats_ThisMachine_AgreesWithDriveInfo()
    {
        var dir = AppContext.BaseDirectory;
        var stats = FileSystemStats.Of(dir)!;
        var drive = new DriveInfo(dir);

        // Both are statfs-family views of one file system: sizes match exactly; free space moves under a running CI.
        Assert.Equal(drive.TotalSize, stats.CapacityBytes);
        Assert.InRange(stats.AvailableBytes, 0, stats.CapacityBytes);
        Assert.InRange(stats.InodesFree, 0, Math.Max(stats.Inodes, 0));
    }

    [Fact]
    public void FileSystemStats_MissingPath_IsNull() => Assert.Null(FileSystemStats.Of("/nonexistent/edge-health-test"));
}
