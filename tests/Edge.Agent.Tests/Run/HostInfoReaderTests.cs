using Edge.Native.HostInfo;

namespace Edge.Agent.Tests.Run;

/// <summary>The /proc, /sys and /etc readers on recorded trees.</summary>
public sealed class HostInfoReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edge-hostinfo-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Read_RecordedRaspberryPiTree_ReportsItsFacts()
    {
        Write("proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 108.00\n\nprocessor\t: 1\nBogoMIPS\t: 108.00\n\nprocessor\t: 2\n\nprocessor\t: 3\n\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n");
        Write("proc/meminfo", "MemTotal:        3881024 kB\nMemFree:          123456 kB\nMemAvailable:    2000000 kB\n");
        Write("proc/sys/kernel/osrelease", "6.6.31+rpt-rpi-v8\n");
        Write("proc/sys/kernel/random/boot_id", "0f4c7bd3-64b5-4b0a-9a1c-8a4c9b1f2e31\n");
        Write("etc/machine-id", "5d3b1a2c9e8f4d7a8b6c5d4e3f2a1b0c\n");
        Write("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n");

        var facts = HostInfoReader.Read(_root, _root);

        Assert.Equal(4, facts.Cpus);
        Assert.Equal(3881024, facts.MemoryKi);
        Assert.Equal("6.6.31+rpt-rpi-v8", facts.KernelVersion);
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", facts.OsImage);
        Assert.Equal("5d3b1a2c9e8f4d7a8b6c5d4e3f2a1b0c", facts.MachineId);
        Assert.Equal("0f4c7bd3-64b5-4b0a-9a1c-8a4c9b1f2e31", facts.BootId);
        Assert.True(facts.EphemeralStorageKi > 0);
    }

    [Fact]
    public void OnlineCpus_SysfsList_WinsOverCpuinfo()
    {
        Write("sys/devices/system/cpu/online", "0-2,5,7-8\n");
        Write("proc/cpuinfo", "processor\t: 0\n");

        Assert.Equal(6, HostInfoReader.OnlineCpus(_root));
    }

    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-3\n", 4)]
    [InlineData("0-1,4-5", 4)]
    [InlineData("garbage", 0)]
    [InlineData("3-1", 0)]
    public void ParseCpuList_KernelLists(string text, int expected) => Assert.Equal(expected, HostInfoReader.ParseCpuList(text));

    [Fact]
    public void OsImage_UsrLibFallbackAndSingleQuotes()
    {
        Write("usr/lib/os-release", "NAME=Alpine\nPRETTY_NAME='Alpine Linux v3.20'\n");

        Assert.Equal("Alpine Linux v3.20", HostInfoReader.OsImage(_root));
    }

    [Fact]
    public void OsImage_NoFile_IsLinux() => Assert.Equal("Linux", HostInfoReader.OsImage(_root));

    [Fact]
    public void MemTotal_Missing_Throws()
    {
        Write("proc/meminfo", "MemFree: 1 kB\n");

        Assert.Throws<IOException>(() => HostInfoReader.MemTotalKi(_root));
    }

    [Fact]
    public void MachineId_Missing_IsEmpty() => Assert.Equal("", HostInfoReader.MachineId(_root));
}
