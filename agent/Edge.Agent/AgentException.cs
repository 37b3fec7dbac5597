namespace Edge.Agent;

/// <summary>
/// Something the agent could not do (the server is unreachable, refused the token, the CA hash is
/// wrong): one line that says why, printed by the executable, which exits 1.
/// </summary>
public sealed class AgentException(string message, Exception? inner = null) : Exception(message, inner);
