using System.Text.Json.Serialization;
using Edge.Api.Meta;

namespace Edge.Api;

/// <summary>Source-generated JSON for every API type: camelCase names, nulls left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(VersionInfo))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
