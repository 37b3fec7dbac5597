using System.Text.Json.Serialization;
using Edge.Server.Encryption;

namespace Edge.Server;

/// <summary>The server's own JSON (files in the data dir, its non-Kubernetes endpoints), source-generated for AOT.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(EncryptionConfigDocument))]
[JsonSerializable(typeof(SecretsEncryptionStatus))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
