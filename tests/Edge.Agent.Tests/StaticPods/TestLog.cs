using System.Collections.Concurrent;
using Edge.Agent.Runtime;

namespace Edge.Agent.Tests.StaticPods;

/// <summary>The static pod components' log lines, kept for assertions.</summary>
internal sealed class TestLog : IRuntimeLog
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void Info(string message) => Lines.Enqueue("info: " + message);

    public void Warn(string message) => Lines.Enqueue("warn: " + message);

    public void Error(string message) => Lines.Enqueue("fail: " + message);
}
