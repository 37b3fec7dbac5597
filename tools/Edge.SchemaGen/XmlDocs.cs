using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Edge.SchemaGen;

/// <summary>
/// Descriptions from KubernetesClient.xml, the doc file inside the NuGet package: its summaries are
/// the upstream field descriptions, re-wrapped, so whitespace is collapsed back to single spaces.
/// </summary>
internal sealed partial class XmlDocs
{
    readonly Dictionary<string, string> _summaries = [];

    XmlDocs(XDocument document)
    {
        foreach (var member in document.Descendants("member"))
        {
            var summary = member.Element("summary");
            if (member.Attribute("name")?.Value is { } name && summary is not null)
            {
                _summaries[name] = Whitespace().Replace(summary.Value, " ").Trim();
            }
        }
    }

    public string? OfType(Type type) => _summaries.GetValueOrDefault("T:" + type.FullName);

    public string? OfProperty(Type type, string property) => _summaries.GetValueOrDefault($"P:{type.FullName}.{property}");

    /// <summary>
    /// Loads the doc file beside the assembly or in the NuGet package folder. A missing file is an
    /// error rather than "no descriptions", so the output never depends on how the package was restored.
    /// </summary>
    public static XmlDocs Load(Assembly assembly)
    {
        // The assembly version is 21.0.0 for every 21.0.x; the informational one names the package.
        var packageVersion = assembly.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>()!
            .InformationalVersion.Split('+')[0];
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string[] candidates =
        [
            Path.ChangeExtension(assembly.Location, ".xml"),
            Path.Combine(packages, "kubernetesclient", packageVersion, "lib", "net10.0", "KubernetesClient.xml"),
        ];
        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("KubernetesClient.xml not found; looked at " + string.Join(", ", candidates));
        return new XmlDocs(XDocument.Load(path));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
