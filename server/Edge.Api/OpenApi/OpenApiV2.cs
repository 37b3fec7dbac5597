using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.Api.Schema;

namespace Edge.Api.OpenApi;

/// <summary>
/// The single Swagger 2.0 document (<c>/openapi/v2</c>). kubectl 1.27/1.28 load it before every
/// create/apply, and explain falls back to it; <see cref="GnosticEncoder"/> turns it into protobuf.
/// </summary>
internal static class OpenApiV2
{
    const string RefPrefix = "#/definitions/";

    public static JsonObject Document(SchemaDefinitions definitions)
    {
        var schema = ApiSchema.Default;
        var operations = ResourceCatalog.Resources.SelectMany(r => ApiOperations.For(r, schema)).ToList();

        var paths = new JsonObject();
        foreach (var path in operations.GroupBy(o => o.Path).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var item = new JsonObject();
            foreach (var operation in path)
            {
                item[operation.Method] = Operation(operation);
            }

            item["parameters"] = new JsonArray(path.First().PathParameters.Select(p => (JsonNode?)new JsonObject
            {
                ["description"] = $"{p} of the resource",
                ["in"] = "path",
                ["name"] = p,
                ["required"] = true,
                ["type"] = "string",
                ["uniqueItems"] = true,
            }).ToArray());
            paths[path.Key] = item;
        }

        var roots = operations.SelectMany(o => new[] { o.RequestDefinition, o.ResponseDefinition }).OfType<string>()
            .Append("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
        return new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "unversioned" },
            ["paths"] = paths,
            ["definitions"] = definitions.Render(definitions.Closure(roots), RefPrefix, v3: false),
        };
    }

    static JsonObject Operation(ApiOperation operation)
    {
        var parameters = new JsonArray();
        if (operation.RequestDefinition is { } request)
        {
            parameters.Add((JsonNode)new JsonObject
            {
                ["in"] = "body",
                ["name"] = "body",
                ["required"] = true,
                ["schema"] = new JsonObject { ["$ref"] = RefPrefix + request },
            });
        }

        foreach (var name in operation.QueryParameters)
        {
            var (type, description) = ApiOperations.QueryParameter(name);
            parameters.Add((JsonNode)new JsonObject
            {
                ["description"] = description,
                ["in"] = "query",
                ["name"] = name,
                ["type"] = type,
                ["uniqueItems"] = true,
            });
        }

        var response = new JsonObject { ["description"] = "OK" };
        response["schema"] = operation.ResponseDefinition is { } definition
            ? new JsonObject { ["$ref"] = RefPrefix + definition }
            : new JsonObject { ["type"] = "string" };
        var consumes = operation.Method == "patch" ? ApiOperations.PatchTypes : ["*/*"];
        return new JsonObject
        {
            ["description"] = operation.Description,
            ["consumes"] = new JsonArray(consumes.Select(c => (JsonNode?)c).ToArray()),
            ["produces"] = new JsonArray(operation.ResponseDefinition is null ? "text/plain" : "application/json"),
            ["schemes"] = new JsonArray("https"),
            ["tags"] = new JsonArray(operation.Tag),
            ["operationId"] = operation.OperationId,
            ["parameters"] = parameters,
            ["responses"] = new JsonObject { ["200"] = response, ["401"] = new JsonObject { ["description"] = "Unauthorized" } },
            ["x-kubernetes-action"] = operation.Action,
            ["x-kubernetes-group-version-kind"] = new JsonObject
            {
                ["group"] = operation.Gvk.Group,
                ["kind"] = operation.Gvk.Kind,
                ["version"] = operation.Gvk.Version,
            },
        };
    }
}
