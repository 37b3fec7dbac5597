namespace Edge.Agent.Runtime;

/// <summary>Where the runtime's log lines go (edge-agent's stderr log in the executable, a buffer in tests).</summary>
public interface IRuntimeLog
{
    void Info(string message);

    void Warn(string message);

    void Error(string message);
}
