using System.Text.Json.Nodes;
using Edge.Api.Schema;

namespace Edge.Api.OpenApi;

/// <summary>
/// The schema file's definitions rendered for an OpenAPI document: <c>$ref</c>s get the document's
/// prefix, and only the definitions the document's kinds reach are included. Each build parses its
/// own tree, because JsonNode trees are not safe to read from two threads.
/// </summary>
internal sealed class SchemaDefinitions
{
    readonly JsonObject _definitions;

    SchemaDefinitions(JsonObject definitions) => _definitions = definitions;

    public static SchemaDefinitions Load()
    {
        var definitions = JsonNode.Parse(ApiSchema.EmbeddedJson())!["definitions"]!.AsObject();

        // The PATCH body: upstream names it so, and it says nothing about its content.
        definitions[ApiOperations.Patch] = new JsonObject
        {
            ["description"] = "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
            ["type"] = "object",
        };
        return new SchemaDefinitions(definitions);
    }

    /// <summary>The names reachable from the roots through <c>$ref</c>, sorted.</summary>
    public SortedSet<string> Closure(IEnumerable<string> roots)
    {
        var reached = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var name))
        {
            if (reached.Add(name))
            {
                foreach (var reference in References(_definitions[name]!))
                {
                    pending.Push(reference);
                }
            }
        }

        return reached;
    }

    /// <summary>
    /// The definitions rendered with refs as <paramref name="refPrefix"/> + name. For OpenAPI v3 a
    /// described ref becomes <c>allOf: [{$ref}]</c> as upstream writes it, since v3 ignores a
    /// <c>$ref</c>'s siblings and kubectl explain would lose the field's description.
    /// </summary>
    public JsonObject Render(IEnumerable<string> names, string refPrefix, bool v3)
    {
        var rendered = new JsonObject();
        foreach (var name in names)
        {
            var definition = _definitions[name]!.DeepClone();
            Rewrite(definition, refPrefix, v3);
            rendered[name] = definition;
        }

        return rendered;
    }

    static IEnumerable<string> References(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                if (key == "$ref")
                {
                    yield return value!.GetValue<string>();
                }
                else if (value is not null)
                {
                    foreach (var reference in References(value))
                    {
                        yield return reference;
                    }
                }
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is not null)
                {
                    foreach (var reference in References(item))
                    {
                        yield return reference;
                    }
                }
            }
        }
    }

    static void Rewrite(JsonNode node, string refPrefix, bool v3)
    {
        if (node is not JsonObject schema)
        {
            return;
        }

        if (schema["$ref"] is { } reference)
        {
            var target = refPrefix + reference.GetValue<string>();
            if (v3 && schema.Count > 1)
            {
                schema.Remove("$ref");
                schema["allOf"] = new JsonArray(new JsonObject { ["$ref"] = target });
            }
            else
            {
                schema["$ref"] = target;
            }
        }

        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (_, property) in properties)
            {
                Rewrite(property!, refPrefix, v3);
            }
        }

        if (schema["items"] is { } items)
        {
            Rewrite(items, refPrefix, v3);
        }

        if (schema["additionalProperties"] is { } values)
        {
            Rewrite(values, refPrefix, v3);
        }
    }
}
