using System.Text;
using System.Text.Json.Nodes;
using Edge.Api.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Edge.ApiServer.Requests;

/// <summary>
/// YAML request bodies as JSON trees, typing plain scalars by YAML 1.1/1.2 core rules as sigs.k8s.io/yaml
/// does (unquoted <c>true</c>, <c>12</c>, <c>1.5</c>, <c>null</c>); quoted scalars stay strings.
/// </summary>
internal static class YamlToJson
{
    public static JsonNode? Convert(byte[] body)
    {
        try
        {
            var text = Encoding.UTF8.GetString(body);
            CheckDepth(text);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1)
            {
                throw ApiException.BadRequest("the body of the request must hold exactly one YAML document");
            }

            // Aliases share nodes, so a small document can spell a huge tree ("billion laughs"):
            // the tree may have no more nodes than the body has bytes.
            var budget = body.Length + 16;
            return ToNode(stream.Documents[0].RootNode, 0, ref budget);
        }
        catch (YamlException e)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner trips over some malformed plain scalars with this instead of a YamlException.
            throw ApiException.BadRequest("the body of the request could not be decoded: malformed YAML");
        }
    }

    /// <summary>
    /// Refuses deep nesting from the event stream, before the representation model recurses into it
    /// (and before the scanner spends seconds on ten thousand open brackets).
    /// </summary>
    private static void CheckDepth(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > RequestBody.MaxDepth)
                    {
                        throw ApiException.BadRequest($"the body of the request is nested deeper than {RequestBody.MaxDepth} levels");
                    }

                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    private static JsonNode? ToNode(YamlNode node, int depth, ref int budget)
    {
        if (--budget < 0)
        {
            throw ApiException.BadRequest("the body of the request expands (through YAML aliases) to more nodes than it has bytes");
        }

        if (depth > RequestBody.MaxDepth)
        {
            throw ApiException.BadRequest($"the body of the request is nested deeper than {RequestBody.MaxDepth} levels");
        }

        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode scalar ? scalar.Value ?? "" : throw ApiException.BadRequest("YAML mapping keys must be scalars");
                    if (obj.ContainsKey(name))
                    {
                        throw ApiException.BadRequest($"the body of the request has the key \"{name}\" twice in one mapping");
                    }

                    obj[name] = ToNode(value, depth + 1, ref budget);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToNode(item, depth + 1, ref budget));
                }

                return array;
            case YamlScalarNode scalar:
                return Edge.Cli.YamlScalars.ToJson(scalar);
            default:
                throw ApiException.BadRequest("unsupported YAML node (aliases are not accepted)");
        }
    }
}
