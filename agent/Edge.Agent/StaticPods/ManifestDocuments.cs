using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Edge.Agent.StaticPods;

/// <summary>One document of a manifest file as a JSON tree, with the line it starts on (1-based) for messages.</summary>
public sealed record ManifestDocument(int Line, JsonObject Object);

/// <summary>A manifest file that cannot be read as YAML or JSON.</summary>
public sealed class ManifestException(string message) : Exception(message);

/// <summary>
/// Manifest files as JSON trees: <c>.json</c> through System.Text.Json, anything else as a YAML stream
/// of one or more documents (through YamlDotNet's representation model — no reflection), with plain
/// scalars typed as sigs.k8s.io/yaml types them (unquoted <c>true</c>, <c>12</c>, <c>1.5</c>, <c>null</c>).
/// </summary>
public static class ManifestDocuments
{
    /// <summary>More nesting than any pod needs; deeper is refused before the tree is built.</summary>
    private const int MaxDepth = 64;

    public static IReadOnlyList<ManifestDocument> Read(string text, bool json) => json ? [ReadJson(text)] : ReadYaml(text);

    private static ManifestDocument ReadJson(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth }) is JsonObject o
                ? new ManifestDocument(1, o)
                : throw new ManifestException("line 1: the document is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ManifestException($"line {(e.LineNumber ?? 0) + 1}: {e.Message}");
        }
    }

    private static List<ManifestDocument> ReadYaml(string text)
    {
        var documents = new List<ManifestDocument>();
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            foreach (var document in stream.Documents)
            {
                var line = (int)document.RootNode.Start.Line;
                // Aliases share nodes: the tree may have no more nodes than the file has characters.
                var budget = text.Length + 16;
                switch (ToNode(document.RootNode, 0, ref budget, line))
                {
                    case JsonObject o:
                        documents.Add(new ManifestDocument(line, o));
                        break;
                    case null:
                        break; // An empty document ("---" at the end) is no manifest.
                    default:
                        throw new ManifestException($"line {line}: the document is not a mapping");
                }
            }
        }
        catch (YamlException e)
        {
            throw new ManifestException($"line {e.Start.Line}: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner trips over some malformed plain scalars with this instead of a YamlException.
            throw new ManifestException($"malformed YAML: {e.Message}");
        }

        return documents;
    }

    private static JsonNode? ToNode(YamlNode node, int depth, ref int budget, int documentLine)
    {
        if (--budget < 0 || depth > MaxDepth)
        {
            throw new ManifestException($"line {documentLine}: the document is nested too deep or expands (through aliases) too far");
        }

        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode scalar ? scalar.Value ?? "" : throw new ManifestException($"line {key.Start.Line}: mapping keys must be scalars");
                    if (obj.ContainsKey(name))
                    {
                        throw new ManifestException($"line {key.Start.Line}: the key \"{name}\" is given twice");
                    }

                    obj[name] = ToNode(value, depth + 1, ref budget, documentLine);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToNode(item, depth + 1, ref budget, documentLine));
                }

                return array;
            case YamlScalarNode scalar:
                return Edge.Cli.YamlScalars.ToJson(scalar);
            default:
                throw new ManifestException($"line {node.Start.Line}: unsupported YAML node");
        }
    }
}
