using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Edge.Store.Embedded;

namespace Edge.Store.Tests.Embedded;

/// <summary>Damaged WAL files: a torn tail is cut and reported, damage in the middle is refused.</summary>
public sealed class RecoveryTests : IDisposable
{
    private const int Writes = 20;
    private readonly string _root = Directory.CreateTempSubdirectory("edge-recovery-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Dir(string name) => Path.Combine(_root, name);

    private static string WalOf(string dir) => Directory.GetFiles(Path.Combine(dir, "wal"), "*.wal").Single();

    private async Task<string> WriteSampleAsync()
    {
        var dir = Dir("sample");
        await using var store = EmbeddedStore.Open(new EmbeddedStoreOptions(dir));
        for (var i = 1; i <= Writes; i++)
        {
            await store.TxnAsync(TxnRequest.Do(new PutOp($"/k/{i:D3}", Encoding.UTF8.GetBytes($"value-{i}"))));
        }

        return dir;
    }

    /// <summary>Byte offsets where each record of the segment starts (the header record first).</summary>
    private static List<int> RecordStarts(byte[] segment)
    {
        var starts = new List<int>();
        for (var offset = 0; offset < segment.Length; offset += 9 + (int)BinaryPrimitives.ReadUInt32LittleEndian(segment.AsSpan(offset)))
        {
            starts.Add(offset);
        }

        return starts;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public async Task TornTail_AtEveryByteOfTheLastRecord_RecoversTheRestAndReportsTheCut()
    {
        var sample = await WriteSampleAsync();
        var segment = File.ReadAllBytes(WalOf(sample));
        var lastStart = RecordStarts(segment)[^1];

        for (var cut = lastStart; cut < segment.Length; cut++)
        {
            var dir = Dir($"cut-{cut}");
            CopyDirectory(sample, dir);
            File.WriteAllBytes(WalOf(dir), segment[..cut]);

            await using (var store = EmbeddedStore.Open(new EmbeddedStoreOptions(dir)))
            {
                Assert.Equal(Writes - 1, (await store.StatusAsync()).Revision);
                Assert.Empty((await store.RangeAsync(new RangeRequest($"/k/{Writes:D3}"))).Kvs);
                Assert.Equal(cut == lastStart ? null : "cut", store.Recovery.Dropped?[..3]);

                // The store goes on from the cut: the next write takes the lost revision's place.
                var next = await store.TxnAsync(TxnRequest.Do(new PutOp("/after", [1])));
                Assert.Equal(Writes, next.Revision);
            }

            await using (var reopened = EmbeddedStore.Open(new EmbeddedStoreOptions(dir)))
            {
                Assert.Equal(Writes, (await reopened.StatusAsync()).Revision);
                Assert.Null(reopened.Recovery.Dropped);
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task FlippedBitInTheMiddle_RefusedWithAClearError()
    {
        var sample = await WriteSampleAsync();
        var path = WalOf(sample);
        var segment = File.ReadAllBytes(path);
        var middle = RecordStarts(segment)[Writes / 2];
        segment[middle + 9 + 3] ^= 0x10; // a bit of the payload
        File.WriteAllBytes(path, segment);

        var e = Assert.Throws<StoreCorruptException>(() => EmbeddedStore.Open(new EmbeddedStoreOptions(sample)));

        Assert.Contains($"damaged at byte {middle}", e.Message);
        Assert.Contains("valid records follow", e.Message);
        Assert.Equal(segment, File.ReadAllBytes(path)); // refused without touching anything
    }

    [Fact]
    public async Task DamagedLength_InTheMiddle_RefusedToo()
    {
        var sample = await WriteSampleAsync();
        var path = WalOf(sample);
        var segment = File.ReadAllBytes(path);
        var middle = RecordStarts(segment)[3];
        BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(middle), 0x00FF_FFFF);
        File.WriteAllBytes(path, segment);

        Assert.Throws<StoreCorruptException>(() => EmbeddedStore.Open(new EmbeddedStoreOptions(sample)));
    }

    [Fact]
    public async Task FullDisk_WriteFailsClearlyNothingIsLostAndWritesWorkAfterFreeingSpace()
    {
        var mount = Dir("tmpfs");
        Directory.CreateDirectory(mount);
        Mount(mount, "2m");
        try
        {
            var filler = Path.Combine(mount, "filler");
            File.WriteAllBytes(filler, new byte[1024 * 1024]);
            var dir = Path.Combine(mount, "store");
            var acked = new List<int>();
            await using (var store = EmbeddedStore.Open(new EmbeddedStoreOptions(dir)))
            {
                StoreException? failure = null;
                for (var i = 0; i < 10_000 && failure is null; i++)
                {
                    try
                    {
                        await store.TxnAsync(TxnRequest.Do(new PutOp($"/fill/{i:D5}", new byte[4096])));
                        acked.Add(i);
                    }
                    catch (StoreException e)
                    {
                        failure = e;
                    }
                }

                Assert.NotNull(failure);
                Assert.Contains("No space left on device", failure.Message);
                Assert.Equal(acked.Count, (await store.RangeAsync(RangeRequest.Prefix("/fill/") with { CountOnly = true })).Count);

                File.Delete(filler);
                var after = await store.TxnAsync(TxnRequest.Do(new PutOp("/after-freeing", [42])));
                Assert.Equal(acked.Count + 1, after.Revision);
            }

            await using var reopened = EmbeddedStore.Open(new EmbeddedStoreOptions(dir));
            Assert.Equal(acked.Count + 1, (await reopened.StatusAsync()).Revision);
            Assert.Single((await reopened.RangeAsync(new RangeRequest("/after-freeing"))).Kvs);
        }
        finally
        {
            Unmount(mount);
        }
    }

    private static void Mount(string path, string size) => Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);

    private static void Unmount(string path) => Run("umount", path);

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error}");
        }
    }
}
