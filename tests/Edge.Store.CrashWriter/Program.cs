using System.Text;
using Edge.Store;
using Edge.Store.Embedded;

// Usage: Edge.Store.CrashWriter DIR FIRST-INDEX
// Writes /crash/<i> = Payload(i) with 16 concurrent writers and, every tenth index, a pair
// /pair/<i>/a + /pair/<i>/b in one transaction; prints "ack <i>" once each write is acknowledged.
var dir = args[0];
var next = long.Parse(args[1]);
var small = args.Length > 2 && args[2] == "--small-segments";
await using var store = EmbeddedStore.Open(new EmbeddedStoreOptions(dir)
{
    SegmentBytes = small ? 8 << 10 : 64L << 20,
    MaxWalBytesBetweenSnapshots = small ? 32 << 10 : 128L << 20,
});
Console.Out.WriteLine("ready");
var output = TextWriter.Synchronized(Console.Out);

async Task Writer()
{
    while (true)
    {
        var i = Interlocked.Increment(ref next) - 1;
        var request = i % 10 == 0
            ? TxnRequest.Do(new PutOp($"/pair/{i:D8}/a", CrashPayload.For(i)), new PutOp($"/pair/{i:D8}/b", CrashPayload.For(i)))
            : TxnRequest.Do(new PutOp($"/crash/{i:D8}", CrashPayload.For(i)));
        await store.TxnAsync(request);
        output.WriteLine($"ack {i}");
    }
}

await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(Writer)));

/// <summary>The value written for index i: its own index and a filler, so a torn value is detectable.</summary>
public static class CrashPayload
{
    public static byte[] For(long i) => Encoding.UTF8.GetBytes($"{i}:" + new string((char)('a' + (i % 26)), 64 + (int)(i % 200)));

    public static bool IsValid(long i, byte[] value) => value.AsSpan().SequenceEqual(For(i));
}
