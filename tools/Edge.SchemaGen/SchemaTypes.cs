using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Edge.SchemaGen;

/// <summary>How the KubernetesClient model types map onto JSON: which properties, which types are objects.</summary>
internal static class SchemaTypes
{
    /// <summary>A generated model class (an object definition), as opposed to a scalar or collection.</summary>
    public static bool IsModel(Type type) =>
        type.IsClass && type.Namespace == "k8s.Models" && type != typeof(ResourceQuantity) && type != typeof(IntOrString);

    /// <summary>Properties that appear on the wire: those with a JSON name (helpers like HasObject have none).</summary>
    public static IEnumerable<(string Json, PropertyInfo Property)> JsonPropertiesNamed(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Json: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name, Property: p))
            .Where(p => p.Json is not null)
            .Select(p => (p.Json!, p.Property))
            .OrderBy(p => p.Item1, StringComparer.Ordinal);

    public static IEnumerable<PropertyInfo> JsonProperties(Type type) => JsonPropertiesNamed(type).Select(p => p.Property);

    /// <summary>The model types a property type refers to, through lists and maps.</summary>
    public static IEnumerable<Type> ModelsIn(Type type)
    {
        if (IsModel(type))
        {
            yield return type;
        }
        else if (ElementOf(type) is { } element)
        {
            foreach (var model in ModelsIn(element))
            {
                yield return model;
            }
        }
    }

    /// <summary>The item type of an IList&lt;T&gt; or the value type of an IDictionary&lt;string,T&gt;.</summary>
    public static Type? ElementOf(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(IList<>))
        {
            return type.GetGenericArguments()[0];
        }

        if (definition == typeof(IDictionary<,>))
        {
            return type.GetGenericArguments()[1];
        }

        return null;
    }

    public static bool IsMap(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>);
}
