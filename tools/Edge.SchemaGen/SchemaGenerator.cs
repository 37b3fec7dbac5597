using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Resources;
using k8s.Models;

namespace Edge.SchemaGen;

/// <summary>
/// Builds kubernetes-schema.json: OpenAPI-v2-style definitions (refs are bare definition names) for
/// every kind Edge serves and everything they reach, with group-version-kinds and patch metadata.
/// </summary>
public static class SchemaGenerator
{
    public const string QuantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string IntOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

    /// <summary>Kinds served as subresource bodies or errors rather than as resources.</summary>
    static readonly (string Group, string Version, string Kind)[] ExtraKinds =
    [
        ("autoscaling", "v1", "Scale"),
        ("policy", "v1", "Eviction"),
        ("authentication.k8s.io", "v1", "TokenRequest"),
        ("", "v1", "Binding"),
        ("", "v1", "Status"),
        ("", "v1", "DeleteOptions"),
    ];

    /// <summary>The schema file's text, exactly as committed.</summary>
    public static string Generate()
    {
        var assembly = typeof(V1Pod).Assembly;
        var names = new DefinitionNames(assembly);
        var docs = XmlDocs.Load(assembly);
        var entities = assembly.GetTypes()
            .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
            .Where(t => t.Entity is not null && t.Type.Namespace == "k8s.Models")
            .ToDictionary(t => (t.Entity!.Group, t.Entity.ApiVersion, t.Entity.Kind), t => t.Type);

        var roots = new List<Type>();
        foreach (var resource in ResourceCatalog.Resources)
        {
            roots.Add(entities[(resource.Group, resource.Version, resource.Kind)]);
            if (resource.Verbs.Contains("list"))
            {
                // Reviews (create only) have no list kind upstream.
                roots.Add(entities[(resource.Group, resource.Version, resource.Kind + "List")]);
            }
        }

        roots.AddRange(ExtraKinds.Select(k => entities[k]));

        var reached = new SortedDictionary<string, Type>(StringComparer.Ordinal);
        var queue = new Queue<Type>(roots);
        while (queue.TryDequeue(out var type))
        {
            if (reached.TryAdd(names.Of(type), type))
            {
                foreach (var property in SchemaTypes.JsonProperties(type))
                {
                    foreach (var model in SchemaTypes.ModelsIn(property.PropertyType))
                    {
                        queue.Enqueue(model);
                    }
                }
            }
        }

        var definitions = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal)
        {
            [QuantityName] = new JsonObject
            {
                ["description"] = "Quantity is a fixed-point representation of a number, serialized as a string such as \"100m\", \"1Gi\" or \"2\".",
                ["type"] = "string",
            },
            [IntOrStringName] = new JsonObject
            {
                ["description"] = "IntOrString is a type that can hold an int32 or a string.",
                ["format"] = "int-or-string",
                ["type"] = "string",
            },
        };
        foreach (var (name, type) in reached)
        {
            definitions[name] = Definition(name, type, names, docs);
        }

        var root = new JsonObject { ["definitions"] = new JsonObject(definitions.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))) };
        return root.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    static JsonObject Definition(string name, Type type, DefinitionNames names, XmlDocs docs)
    {
        var definition = new JsonObject();
        if (docs.OfType(type) is { } description)
        {
            definition["description"] = description;
        }

        definition["type"] = "object";
        var properties = new JsonObject();
        foreach (var (json, property) in SchemaTypes.JsonPropertiesNamed(type))
        {
            var schema = PropertySchema(property.PropertyType, names);
            if (docs.OfProperty(type, property.Name) is { } propertyDescription)
            {
                schema["description"] = propertyDescription;
            }

            if (PatchFacts.All.GetValueOrDefault((name, json)) is { } fact)
            {
                if (fact.ListType is not null)
                {
                    schema["x-kubernetes-list-type"] = fact.ListType;
                }

                if (fact.MapKeys is not null)
                {
                    schema["x-kubernetes-list-map-keys"] = new JsonArray(fact.MapKeys.Select(k => (JsonNode?)k).ToArray());
                }

                if (fact.MergeKey is not null)
                {
                    schema["x-kubernetes-patch-merge-key"] = fact.MergeKey;
                }

                if (fact.Strategy is not null)
                {
                    schema["x-kubernetes-patch-strategy"] = fact.Strategy;
                }
            }

            properties[json] = schema;
        }

        definition["properties"] = properties;
        if (type.GetCustomAttribute<KubernetesEntityAttribute>() is { } entity)
        {
            definition["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject
            {
                ["group"] = entity.Group,
                ["kind"] = entity.Kind,
                ["version"] = entity.ApiVersion,
            });
        }

        return definition;
    }

    /// <summary>
    /// The schema of a value of a CLR type. <c>object</c> (RawExtension, FieldsV1) becomes a bare
    /// <c>{"type":"object"}</c> without properties: "anything", as upstream's RawExtension.
    /// </summary>
    static JsonObject PropertySchema(Type type, DefinitionNames names)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(int))
        {
            return new JsonObject { ["format"] = "int32", ["type"] = "integer" };
        }

        if (type == typeof(long))
        {
            return new JsonObject { ["format"] = "int64", ["type"] = "integer" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(double))
        {
            return new JsonObject { ["format"] = "double", ["type"] = "number" };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new JsonObject { ["format"] = "date-time", ["type"] = "string" };
        }

        if (type == typeof(byte[]))
        {
            return new JsonObject { ["format"] = "byte", ["type"] = "string" };
        }

        if (type == typeof(ResourceQuantity))
        {
            return new JsonObject { ["$ref"] = QuantityName };
        }

        if (type == typeof(IntOrString))
        {
            return new JsonObject { ["$ref"] = IntOrStringName };
        }

        if (type == typeof(object) || type == typeof(JsonElement))
        {
            return new JsonObject { ["type"] = "object" };
        }

        if (SchemaTypes.ElementOf(type) is { } element)
        {
            return SchemaTypes.IsMap(type)
                ? new JsonObject { ["additionalProperties"] = PropertySchema(element, names), ["type"] = "object" }
                : new JsonObject { ["items"] = PropertySchema(element, names), ["type"] = "array" };
        }

        if (SchemaTypes.IsModel(type))
        {
            return new JsonObject { ["$ref"] = names.Of(type) };
        }

        throw new InvalidOperationException($"no schema mapping for {type}");
    }
}
