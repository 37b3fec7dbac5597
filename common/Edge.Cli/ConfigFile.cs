using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Edge.Cli;

/// <summary>
/// A flat YAML config file whose keys are option names (<c>data-dir: /srv/edge</c>,
/// <c>tls-san: [a, b]</c>), as k3s users know it. Parsed into YAML nodes without any
/// reflection-based binding; every key and value is checked against the option table, and
/// the first problem refuses the whole file with its line number.
/// </summary>
public sealed class ConfigFile
{
    private readonly Dictionary<string, IReadOnlyList<string>> _values;

    private ConfigFile(string path, Dictionary<string, IReadOnlyList<string>> values)
    {
        Path = path;
        _values = values;
    }

    /// <summary>The file the values came from.</summary>
    public string Path { get; }

    /// <summary>A config that sets nothing (the default path does not exist).</summary>
    public static ConfigFile Empty(string path) => new(path, []);

    /// <summary>The values for an option key, if the file sets it.</summary>
    public IReadOnlyList<string>? Get(string key) => _values.GetValueOrDefault(key);

    public static ConfigFile Load(string path, IReadOnlyList<OptionSpec> schema)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read config file {path}: {PathProblem.Describe(path, e)}");
        }

        return Parse(path, text, schema);
    }

    public static ConfigFile Parse(string path, string text, IReadOnlyList<OptionSpec> schema)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new CliException($"config file {path}:{e.Start.Line}: malformed YAML: {FirstLine(e.Message)}");
        }

        var values = new Dictionary<string, IReadOnlyList<string>>();
        if (stream.Documents.Count == 0)
        {
            return new ConfigFile(path, values);
        }

        if (stream.Documents.Count > 1)
        {
            throw new CliException($"config file {path}: holds {stream.Documents.Count} YAML documents; expected one");
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return new ConfigFile(path, values);
        }

        if (root is not YamlMappingNode mapping)
        {
            throw new CliException($"config file {path}:{root.Start.Line}: expected a mapping of option names to values");
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var line = keyNode.Start.Line;
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                throw new CliException($"config file {path}:{line}: keys must be plain option names");
            }

            var spec = schema.FirstOrDefault(o => o.Name == key);
            if (spec is null || !spec.AllowedInConfigFile)
            {
                throw new CliException($"config file {path}:{line}: unknown key '{key}'");
            }

            var items = valueNode switch
            {
                YamlScalarNode scalar => IsNull(scalar) ? [] : [scalar.Value ?? ""],
                YamlSequenceNode sequence when spec.Kind == OptionKind.List => sequence.Children.Select(item =>
                    item is YamlScalarNode s && !IsNull(s)
                        ? s.Value ?? ""
                        : throw new CliException($"config file {path}:{item.Start.Line}: key '{key}': list items must be plain values")).ToList(),
                YamlSequenceNode => throw new CliException($"config file {path}:{line}: key '{key}': takes one value, not a list"),
                _ => throw new CliException($"config file {path}:{line}: key '{key}': takes a value, not a mapping"),
            };

            foreach (var item in items)
            {
                var reason = OptionValues.Check(spec, item);
                if (reason is not null)
                {
                    throw new CliException($"config file {path}:{line}: key '{key}': {reason}");
                }
            }

            values[key] = spec.Kind == OptionKind.List ? items.SelectMany(OptionValues.SplitList).ToList() : items;
        }

        return new ConfigFile(path, values);
    }

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null";

    private static string FirstLine(string message)
    {
        var trimmed = message.Trim();
        var newline = trimmed.IndexOf('\n');
        return newline < 0 ? trimmed : trimmed[..newline].Trim();
    }
}
