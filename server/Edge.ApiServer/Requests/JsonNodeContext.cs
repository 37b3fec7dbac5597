using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Edge.ApiServer.Requests;

/// <summary>Source-generated serialisation of JSON trees (no reflection under AOT).</summary>
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class JsonNodeContext : JsonSerializerContext;
