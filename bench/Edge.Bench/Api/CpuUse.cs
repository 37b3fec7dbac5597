using Edge.Bench.Store;

namespace Edge.Bench.Api;

/// <summary>CPU time the server and this process used over a phase.</summary>
public sealed record CpuUse(TimeSpan Server, TimeSpan Client)
{
    public static Meter Start(EdgeServerProcess server) => new(server.Pid);

    public sealed class Meter(int serverPid)
    {
        private readonly TimeSpan _server = ProcStats.CpuTime(serverPid);
        private readonly TimeSpan _client = ProcStats.CpuTime(Environment.ProcessId);

        public CpuUse Stop() => new(ProcStats.CpuTime(serverPid) - _server, ProcStats.CpuTime(Environment.ProcessId) - _client);
    }
}
