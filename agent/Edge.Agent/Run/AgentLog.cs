using System.Globalization;

namespace Edge.Agent.Run;

/// <summary>
/// One line per event on stderr, in the shape edge-server's console logger writes
/// (<c>2026-01-02T03:04:05.678Z info: Category[0] message</c>), so one grep reads both.
/// </summary>
public sealed class AgentLog(string category, TextWriter writer, TimeProvider time) : Edge.Agent.Runtime.IRuntimeLog
{
    private readonly Lock _lock = new();

    public void Info(string message) => Write("info", message);

    public void Warn(string message) => Write("warn", message);

    public void Error(string message) => Write("fail", message);

    private void Write(string level, string message)
    {
        var line = $"{time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} {level}: {category}[0] {message}";
        lock (_lock)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
