using System.IO.MemoryMappedFiles;
using Edge.Native;

namespace Edge.Agent.Tests.Run;

/// <summary>Handing back start-up pages (<see cref="WorkingSet"/>): the parsing on recorded text, the release on a real mapping.</summary>
public sealed class WorkingSetTests
{
    private const string RecordedMaps = """
        5642a5400000-5642a5500000 r--p 00000000 fe:00 5341458                    /usr/bin/edge-agent
        5642a5500000-5642a5d7d000 r-xp 00100000 fe:00 5341458                    /usr/bin/edge-agent
        5642a637d000-5642a63a2000 rw-p 00b7e000 fe:00 5341458                    /usr/bin/edge-agent
        5642a63a2000-5642a6692000 rw-p 00000000 00:00 0
        5642ce92a000-5642ce98d000 rw-p 00000000 00:00 0                          [heap]
        7f44e6620000-7f44e6682000 r--p 0041f000 fe:00 332131                     /usr/lib/x86_64-linux-gnu/libcrypto.so.3
        7f44e7000000-7f44e7001000 r--s 00000000 00:05 4711                       /tmp/my data/file with spaces
        7f44e7100000-7f44e7101000 r--p 00000000 00:05 4712                       /tmp/gone (deleted)
        7f44e7200000-7f44e7201000 ---p 00000000 00:00 0
        7f44e7300000-7f44e7301000 ---p 0004f000 fe:00 332131                     /usr/lib/x86_64-linux-gnu/libcrypto.so.3
        7ffd1a3fe000-7ffd1a400000 r-xp 00000000 00:00 0                          [vdso]
        garbage line
        """;

    [Fact]
    public void FileMappings_RecordedMaps_KeepsFilesOnly_MarksTheWritable()
    {
        var mappings = WorkingSet.FileMappings(RecordedMaps);

        Assert.Equal(
            ["/usr/bin/edge-agent", "/usr/bin/edge-agent", "/usr/bin/edge-agent", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "/tmp/my data/file with spaces"],
            mappings.Select(m => m.Path));
        Assert.Equal([false, false, true, false, false], mappings.Select(m => m.Writable));
        Assert.Equal(0x5642a5400000UL, mappings[0].Start);
        Assert.Equal(0x100000UL, mappings[0].Length);
        Assert.Equal(0x62000UL, mappings[3].Length);
    }

    [Fact]
    public void ParseStatus_RecordedStatus_ReadsTheResidentSplit()
    {
        var resident = WorkingSet.ParseStatus("Name:\tedge-agent\nVmRSS:\t   20976 kB\nRssAnon:\t    7960 kB\nRssFile:\t   13016 kB\nRssShmem:\t       0 kB\nThreads:\t12\n");

        Assert.Equal(new WorkingSet.Resident(20976 * 1024L, 13016 * 1024L, 7960 * 1024L), resident);
        Assert.Equal(new WorkingSet.Resident(0, 0, 0), WorkingSet.ParseStatus("nothing here\n"));
    }

    [Fact]
    public void ReleaseFilePages_TouchedFileMapping_LeavesResidentMemory()
    {
        const int size = 16 << 20;
        var path = Path.Combine(Path.GetTempPath(), $"edge-workingset-{Guid.NewGuid():N}");
        try
        {
            // Written and synced first: only clean pages can be reclaimed without writing them out.
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                var chunk = new byte[1 << 20];
                Random.Shared.NextBytes(chunk);
                for (var written = 0; written < size; written += chunk.Length)
                {
                    file.Write(chunk);
                }

                file.Flush(flushToDisk: true);
            }

            using var mapped = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            using var view = mapped.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
            long sum = 0;
            for (var offset = 0; offset < size; offset += 4096)
            {
                sum += view.ReadByte(offset);
            }

            var touched = WorkingSet.Current();
            var release = WorkingSet.ReleaseFilePages();

            Assert.True(sum >= 0);
            Assert.True(release.Supported, "this kernel refused MADV_PAGEOUT");
            Assert.True(release.Mappings > 0);
            Assert.True(touched.File >= size, $"the touched mapping is not resident: {touched}");
            Assert.True(release.Before.File - release.After.File >= size / 2, $"file pages before {release.Before.File}, after {release.After.File}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
