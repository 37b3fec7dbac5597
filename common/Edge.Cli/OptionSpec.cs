namespace Edge.Cli;

/// <summary>The shape of an option's value.</summary>
public enum OptionKind
{
    /// <summary>Any text.</summary>
    String,
    /// <summary>A whole number.</summary>
    Int,
    /// <summary><c>true</c> or <c>false</c>; a bare flag means <c>true</c>.</summary>
    Bool,
    /// <summary>Several values: a repeated flag, a comma-separated value, or a YAML sequence.</summary>
    List,
}

/// <summary>
/// One option of an executable. The same definition serves the command-line flag
/// (<c>--data-dir</c>), the environment variable (<c>EDGE_DATA_DIR</c>) and the config-file key
/// (<c>data-dir:</c>), so the three can never drift apart.
/// </summary>
public sealed record OptionSpec(string Name, OptionKind Kind, string Description)
{
    /// <summary>The value when no flag, variable or config key sets it; null means unset.</summary>
    public string? Default { get; init; }

    /// <summary>A one-letter alias for the flag (<c>-c</c>), if any.</summary>
    public char? ShortName { get; init; }

    /// <summary>Name of the value in help text (<c>--data-dir DIR</c>).</summary>
    public string ValueName { get; init; } = "VALUE";

    /// <summary>False for options that cannot come from the config file (the config path itself).</summary>
    public bool AllowedInConfigFile { get; init; } = true;

    /// <summary>Overrides the derived environment variable name.</summary>
    public string? EnvironmentVariableOverride { get; init; }

    /// <summary>Checks one value; returns the reason it is refused, or null when it is fine.</summary>
    public Func<string, string?>? Validate { get; init; }

    /// <summary>The environment variable that sets this option.</summary>
    public string EnvironmentVariable =>
        EnvironmentVariableOverride ?? "EDGE_" + Name.Replace('-', '_').ToUpperInvariant();
}
