using System.Reflection;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Edge.SchemaGen;

/// <summary>
/// Upstream OpenAPI definition names (<c>io.k8s.api.core.v1.PodSpec</c>) for KubernetesClient model
/// types. The C# names keep the version (<c>V1</c>) but drop the group except where two groups
/// collide (<c>Corev1Event</c>, <c>Eventsv1Event</c>), so the group is recovered in three steps:
/// the meta/v1 types by name, kinds by their <c>KubernetesEntity</c> attribute, and every other type
/// from the first kind that reaches it. Kinds are walked core group first, because core types
/// (PodTemplateSpec, PersistentVolumeClaim) are embedded by kinds of other groups, never the reverse.
/// </summary>
internal sealed partial class DefinitionNames
{
    const string MetaPackage = "io.k8s.apimachinery.pkg.apis.meta.v1";

    /// <summary>Types upstream defines in k8s.io/apimachinery/pkg/apis/meta/v1.</summary>
    static readonly HashSet<string> MetaTypes =
    [
        "ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference",
        "ManagedFieldsEntry", "Status", "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions",
        "Condition", "APIResource", "APIResourceList", "APIGroup", "APIGroupList", "APIVersions",
        "GroupVersionForDiscovery", "ServerAddressByClientCIDR", "WatchEvent", "FieldSelectorRequirement",
    ];

    readonly Dictionary<Type, string> _names = [];

    public DefinitionNames(Assembly models)
    {
        var kinds = models.GetTypes()
            .Where(t => t.Namespace == "k8s.Models" && t.GetCustomAttribute<KubernetesEntityAttribute>() is not null)
            .OrderBy(t => t.GetCustomAttribute<KubernetesEntityAttribute>()!.Group.Length == 0 ? 0 : 1)
            .ThenBy(t => t.GetCustomAttribute<KubernetesEntityAttribute>()!.Group, StringComparer.Ordinal)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        // A type of another version than its referrer (a v1alpha3 type inside batch/v1 JobSpec)
        // belongs to some other group: first let kinds of its own version claim it.
        foreach (var sameVersionOnly in new[] { true, false })
        {
            foreach (var kind in kinds)
            {
                var entity = kind.GetCustomAttribute<KubernetesEntityAttribute>()!;
                Walk(kind, PackageOf(entity.Group), Split(kind.Name).Version, sameVersionOnly, []);
            }
        }
    }

    public string Of(Type type) =>
        _names.TryGetValue(type, out var name) ? name : throw new InvalidOperationException($"no definition name for {type}");

    void Walk(Type type, string package, string packageVersion, bool sameVersionOnly, HashSet<Type> seen)
    {
        if (!SchemaTypes.IsModel(type) || !seen.Add(type))
        {
            return;
        }

        var (groupPrefix, version, shortName) = Split(type.Name);
        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>();
        var own = MetaTypes.Contains(shortName) ? "apimachinery.pkg.apis.meta"
            : groupPrefix is not null ? PackageOf(groupPrefix.ToLowerInvariant())
            : entity is not null ? PackageOf(entity.Group)
            : sameVersionOnly && version != packageVersion ? null
            : package;
        if (own is null)
        {
            return;
        }

        if (_names.TryGetValue(type, out var existing))
        {
            own = existing["io.k8s.".Length..existing.LastIndexOf('.', existing.LastIndexOf('.') - 1)];
        }
        else
        {
            _names[type] = $"io.k8s.{own}.{version}.{shortName}";
        }

        foreach (var property in SchemaTypes.JsonProperties(type))
        {
            foreach (var model in SchemaTypes.ModelsIn(property.PropertyType))
            {
                Walk(model, own, version, sameVersionOnly, seen);
            }
        }
    }

    /// <summary>The Go package path under io.k8s of a group: core for "", else the group's first label.</summary>
    static string PackageOf(string group) =>
        group.Length == 0 || group == "core" ? "api.core" : "api." + group.Split('.')[0];

    static (string? GroupPrefix, string Version, string ShortName) Split(string typeName)
    {
        var match = ModelName().Match(typeName);
        if (!match.Success)
        {
            throw new InvalidOperationException($"unexpected model type name {typeName}");
        }

        var group = match.Groups["group"].Success ? match.Groups["group"].Value : null;
        return (group, "v" + match.Groups["version"].Value, match.Groups["name"].Value);
    }

    [GeneratedRegex(@"^(?:(?<group>[A-Z][a-z]+)v|V)(?<version>\d+(?:(?:alpha|beta)\d+)?)(?<name>[A-Z].*)$")]
    private static partial Regex ModelName();

    public static bool IsMeta(string definition) => definition.StartsWith(MetaPackage + ".", StringComparison.Ordinal);
}
