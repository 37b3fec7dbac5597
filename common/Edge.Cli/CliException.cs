namespace Edge.Cli;

/// <summary>
/// A problem with what the user asked for: a bad flag, variable, config key or value.
/// The message is one line that names the culprit; executables print it and exit 2.
/// </summary>
public sealed class CliException(string message) : Exception(message);
