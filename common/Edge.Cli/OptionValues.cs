using System.Collections;
using System.Globalization;

namespace Edge.Cli;

/// <summary>
/// The settled value of every option of a command: a flag wins over its environment variable,
/// which wins over the config file, which wins over the default.
/// </summary>
public sealed class OptionValues
{
    private readonly Dictionary<string, IReadOnlyList<string>> _values;
    private readonly Dictionary<string, string> _sources;

    private OptionValues(Dictionary<string, IReadOnlyList<string>> values, Dictionary<string, string> sources)
    {
        _values = values;
        _sources = sources;
    }

    /// <summary>
    /// Settles the options of <paramref name="command"/>. The config file is read from
    /// <c>--config</c>, its environment variable, or <paramref name="defaultConfigPath"/> (which may be
    /// absent); its keys are checked against <paramref name="configSchema"/>, every option the
    /// executable knows, so a key meant for another command is not mistaken for a typo.
    /// </summary>
    public static OptionValues Resolve(
        ParsedCommandLine commandLine,
        IReadOnlyList<OptionSpec> configSchema,
        IDictionary environment,
        string? defaultConfigPath)
    {
        var options = commandLine.Command.Options;
        var config = LoadConfig(commandLine, configSchema, environment, defaultConfigPath);
        var values = new Dictionary<string, IReadOnlyList<string>>();
        var sources = new Dictionary<string, string>();
        foreach (var spec in options)
        {
            if (commandLine.Flags.TryGetValue(spec.Name, out var fromFlag))
            {
                Accept(spec, fromFlag, "--" + spec.Name, values, sources);
            }
            else if (environment[spec.EnvironmentVariable] is string fromEnv && fromEnv.Length > 0)
            {
                Accept(spec, [fromEnv], spec.EnvironmentVariable, values, sources);
            }
            else if (config?.Get(spec.Name) is { } fromConfig)
            {
                values[spec.Name] = fromConfig;
                sources[spec.Name] = $"config file {config.Path}";
            }
            else if (spec.Default is not null)
            {
                values[spec.Name] = spec.Kind == OptionKind.List ? SplitList(spec.Default).ToList() : [spec.Default];
                sources[spec.Name] = "default";
            }
        }

        return new OptionValues(values, sources);
    }

    private static ConfigFile? LoadConfig(
        ParsedCommandLine commandLine,
        IReadOnlyList<OptionSpec> configSchema,
        IDictionary environment,
        string? defaultConfigPath)
    {
        var configSpec = commandLine.Command.Options.FirstOrDefault(o => o.Name == "config");
        if (configSpec is null)
        {
            return null;
        }

        string? path = null;
        if (commandLine.Flags.TryGetValue("config", out var flag))
        {
            path = flag[0];
        }
        else if (environment[configSpec.EnvironmentVariable] is string env && env.Length > 0)
        {
            path = env;
        }

        if (path is not null)
        {
            // A config file the user named must exist.
            return ConfigFile.Load(path, configSchema);
        }

        return defaultConfigPath is not null && File.Exists(defaultConfigPath)
            ? ConfigFile.Load(defaultConfigPath, configSchema)
            : null;
    }

    private static void Accept(
        OptionSpec spec,
        IReadOnlyList<string> raw,
        string source,
        Dictionary<string, IReadOnlyList<string>> values,
        Dictionary<string, string> sources)
    {
        var items = spec.Kind == OptionKind.List ? raw.SelectMany(SplitList).ToList() : raw.ToList();
        foreach (var item in items)
        {
            var reason = Check(spec, item);
            if (reason is not null)
            {
                throw new CliException($"{source}: {reason}");
            }
        }

        values[spec.Name] = items;
        sources[spec.Name] = source;
    }

    /// <summary>Checks one value against the option's kind and its own rule.</summary>
    public static string? Check(OptionSpec spec, string value)
    {
        switch (spec.Kind)
        {
            case OptionKind.Int when !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
                return $"'{value}' is not a whole number";
            case OptionKind.Bool when !bool.TryParse(value, out _):
                return $"'{value}' is not true or false";
        }

        return spec.Validate?.Invoke(value);
    }

    internal static IEnumerable<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The single value of an option, or null when unset.</summary>
    public string? GetString(string name) => _values.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    /// <summary>The single value of an option that has a default.</summary>
    public string GetRequiredString(string name) =>
        GetString(name) ?? throw new InvalidOperationException($"option '{name}' has no value and no default");

    public int GetInt(string name) => int.Parse(GetRequiredString(name), CultureInfo.InvariantCulture);

    public bool GetBool(string name) => GetString(name) is { } v && bool.Parse(v);

    public IReadOnlyList<string> GetList(string name) => _values.GetValueOrDefault(name) ?? [];

    /// <summary>Where an option's value came from, for messages (<c>--data-dir</c>, <c>EDGE_DATA_DIR</c>, …).</summary>
    public string SourceOf(string name) => _sources.GetValueOrDefault(name) ?? "unset";

    /// <summary>The flag, variable or file key to name when a value turns out to be unusable.</summary>
    public string Describe(string name) => SourceOf(name) switch
    {
        "default" or "unset" => "--" + name,
        var s when s.StartsWith("config file ", StringComparison.Ordinal) => $"{s[12..]}: key '{name}'",
        var s => s,
    };
}
