using System.Text.Json.Nodes;
using Edge.Api.OpenApi.Gnostic;

namespace Edge.Api.OpenApi;

/// <summary>
/// Converts the Swagger 2.0 JSON document into gnostic's <c>openapi_v2.Document</c>, the protobuf
/// kubectl asks for (<c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c>). Vendor
/// extensions carry their value as YAML text in <c>Any.yaml</c>, as gnostic does; compact JSON is
/// valid YAML, so it is written as is.
/// </summary>
internal static class GnosticEncoder
{
    public static Document Encode(JsonObject swagger)
    {
        var document = new Document
        {
            Swagger = (string)swagger["swagger"]!,
            Info = new Info { Title = (string)swagger["info"]!["title"]!, Version = (string)swagger["info"]!["version"]! },
            Paths = new Paths(),
            Definitions = new Definitions(),
        };

        foreach (var (path, node) in swagger["paths"]!.AsObject())
        {
            document.Paths.Path.Add(new NamedPathItem { Name = path, Value = PathItem(node!.AsObject()) });
        }

        foreach (var (name, schema) in swagger["definitions"]!.AsObject())
        {
            document.Definitions.AdditionalProperties.Add(new NamedSchema { Name = name, Value = Schema(schema!.AsObject()) });
        }

        return document;
    }

    static PathItem PathItem(JsonObject json)
    {
        var item = new PathItem();
        foreach (var (key, value) in json)
        {
            switch (key)
            {
                case "get": item.Get = Operation(value!.AsObject()); break;
                case "put": item.Put = Operation(value!.AsObject()); break;
                case "post": item.Post = Operation(value!.AsObject()); break;
                case "delete": item.Delete = Operation(value!.AsObject()); break;
                case "patch": item.Patch = Operation(value!.AsObject()); break;
                case "parameters":
                    item.Parameters.AddRange(value!.AsArray().Select(p => Parameter(p!.AsObject())));
                    break;
            }
        }

        return item;
    }

    static Operation Operation(JsonObject json)
    {
        var operation = new Operation
        {
            Description = (string?)json["description"] ?? "",
            OperationId = (string?)json["operationId"] ?? "",
            Responses = new Responses(),
        };
        operation.Tags.AddRange(Strings(json["tags"]));
        operation.Consumes.AddRange(Strings(json["consumes"]));
        operation.Produces.AddRange(Strings(json["produces"]));
        operation.Schemes.AddRange(Strings(json["schemes"]));
        operation.Parameters.AddRange(json["parameters"]!.AsArray().Select(p => Parameter(p!.AsObject())));
        foreach (var (code, response) in json["responses"]!.AsObject())
        {
            var value = new Response { Description = (string)response!["description"]! };
            if (response["schema"] is JsonObject schema)
            {
                value.Schema = new SchemaItem { Schema = Schema(schema) };
            }

            operation.Responses.ResponseCode.Add(new NamedResponseValue { Name = code, Value = new ResponseValue { Response = value } });
        }

        operation.VendorExtension.AddRange(Extensions(json));
        return operation;
    }

    static ParametersItem Parameter(JsonObject json)
    {
        var @in = (string)json["in"]!;
        var name = (string)json["name"]!;
        var description = (string?)json["description"] ?? "";
        var required = (bool?)json["required"] ?? false;
        var parameter = @in switch
        {
            "body" => new Parameter
            {
                BodyParameter = new BodyParameter { In = @in, Name = name, Description = description, Required = required, Schema = Schema(json["schema"]!.AsObject()) },
            },
            "path" => new Parameter
            {
                NonBodyParameter = new NonBodyParameter
                {
                    PathParameterSubSchema = new PathParameterSubSchema
                    {
                        In = @in, Name = name, Description = description, Required = required,
                        Type = (string?)json["type"] ?? "", UniqueItems = (bool?)json["uniqueItems"] ?? false,
                    },
                },
            },
            _ => new Parameter
            {
                NonBodyParameter = new NonBodyParameter
                {
                    QueryParameterSubSchema = new QueryParameterSubSchema
                    {
                        In = @in, Name = name, Description = description, Required = required,
                        Type = (string?)json["type"] ?? "", UniqueItems = (bool?)json["uniqueItems"] ?? false,
                    },
                },
            },
        };
        return new ParametersItem { Parameter = parameter };
    }

    static Gnostic.Schema Schema(JsonObject json)
    {
        var schema = new Gnostic.Schema();
        foreach (var (key, value) in json)
        {
            switch (key)
            {
                case "$ref": schema.Ref = (string)value!; break;
                case "format": schema.Format = (string)value!; break;
                case "description": schema.Description = (string)value!; break;
                case "type": schema.Type = new TypeItem { Value = { (string)value! } }; break;
                case "required": schema.Required.AddRange(Strings(value)); break;
                case "items": schema.Items = new ItemsItem { Schema = { Schema(value!.AsObject()) } }; break;
                case "additionalProperties":
                    schema.AdditionalProperties = new AdditionalPropertiesItem { Schema = Schema(value!.AsObject()) };
                    break;
                case "allOf": schema.AllOf.AddRange(value!.AsArray().Select(s => Schema(s!.AsObject()))); break;
                case "properties":
                    schema.Properties = new Properties();
                    foreach (var (name, property) in value!.AsObject())
                    {
                        schema.Properties.AdditionalProperties.Add(new NamedSchema { Name = name, Value = Schema(property!.AsObject()) });
                    }

                    break;
            }
        }

        schema.VendorExtension.AddRange(Extensions(json));
        return schema;
    }

    static IEnumerable<NamedAny> Extensions(JsonObject json) =>
        json.Where(p => p.Key.StartsWith("x-", StringComparison.Ordinal))
            .Select(p => new NamedAny { Name = p.Key, Value = new Any { Yaml = p.Value!.ToJsonString() + "\n" } });

    static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(s => (string)s!) : [];
}
