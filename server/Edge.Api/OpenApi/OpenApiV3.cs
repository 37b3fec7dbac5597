using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.Api.Schema;

namespace Edge.Api.OpenApi;

/// <summary>
/// One OpenAPI 3.0 document per group-version (<c>/openapi/v3/apis/apps/v1</c>), shaped as
/// kube-openapi writes them: kubectl checks the PATCH operation's GVK and <c>fieldValidation</c>
/// parameter to decide the server validates fields, and explain reads <c>components.schemas</c>.
/// </summary>
internal static class OpenApiV3
{
    const string RefPrefix = "#/components/schemas/";

    public static JsonObject GroupVersion(string group, string version, SchemaDefinitions definitions)
    {
        var schema = ApiSchema.Default;
        var operations = ResourceCatalog.Resources
            .Where(r => r.Group == group && r.Version == version)
            .SelectMany(r => ApiOperations.For(r, schema))
            .ToList();

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
                ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
            }).ToArray());
            paths[path.Key] = item;
        }

        var roots = operations.SelectMany(o => new[] { o.RequestDefinition, o.ResponseDefinition }).OfType<string>()
            .Append("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "unversioned" },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = definitions.Render(definitions.Closure(roots), RefPrefix, v3: true),
            },
        };
    }

    static JsonObject Operation(ApiOperation operation)
    {
        var result = new JsonObject
        {
            ["tags"] = new JsonArray(operation.Tag),
            ["description"] = operation.Description,
            ["operationId"] = operation.OperationId,
            ["parameters"] = new JsonArray(operation.QueryParameters.Select(p =>
            {
                var (type, description) = ApiOperations.QueryParameter(p);
                return (JsonNode?)new JsonObject
                {
                    ["name"] = p,
                    ["in"] = "query",
                    ["description"] = description,
                    ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
                };
            }).ToArray()),
        };

        if (operation.RequestDefinition is { } request)
        {
            var types = operation.Method == "patch" ? ApiOperations.PatchTypes : ["application/json"];
            var content = new JsonObject();
            foreach (var type in types)
            {
                content[type] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = RefPrefix + request } };
            }

            result["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true };
        }

        var body = operation.ResponseDefinition is { } response
            ? new JsonObject { ["schema"] = new JsonObject { ["$ref"] = RefPrefix + response } }
            : new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } };
        result["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { [operation.ResponseDefinition is null ? "text/plain" : "application/json"] = body },
            },
            ["401"] = new JsonObject { ["description"] = "Unauthorized" },
        };
        result["x-kubernetes-action"] = operation.Action;
        result["x-kubernetes-group-version-kind"] = new JsonObject
        {
            ["group"] = operation.Gvk.Group,
            ["kind"] = operation.Gvk.Kind,
            ["version"] = operation.Gvk.Version,
        };
        return result;
    }
}
