namespace Edge.Server;

/// <summary>
/// The server cannot start for a reason the operator can fix (port taken, data dir unwritable,
/// damaged certificate). The message is one line; the process prints it and exits 1.
/// </summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
