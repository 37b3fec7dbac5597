using System.Text.Json.Serialization;

namespace Edge.Server.Join;

/// <summary>
/// <c>POST /v1-edge/join</c> (with <c>Authorization: Bearer &lt;id&gt;.&lt;secret&gt;</c>): the node's
/// name, a PEM PKCS#10 CSR for <c>CN=system:node:&lt;name&gt;, O=system:nodes</c>, and the labels
/// and taints (<c>key[=value]:Effect</c>) the Node is created with.
/// </summary>
public sealed record JoinRequest(string? NodeName, string? Csr, IReadOnlyDictionary<string, string>? Labels, IReadOnlyList<string>? Taints);

/// <summary><c>POST /v1-edge/renew</c> (mutual TLS with the node's current certificate): a CSR for the new key.</summary>
public sealed record RenewRequest(string? Csr);

/// <summary>The answer to both: the node certificate, the CA that signed it (PEM), the cluster's settings for the node.</summary>
public sealed record JoinResponse(string Certificate, string Ca, NodeConfig Config);

/// <summary>What a node needs to know about the cluster's networks; <c>podCidr</c> is empty until the node IPAM controller assigned it.</summary>
public sealed record NodeConfig(string ClusterCidr, string ServiceCidr, string ClusterDns, string PodCidr);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(RenewRequest))]
[JsonSerializable(typeof(JoinResponse))]
internal sealed partial class JoinJsonContext : JsonSerializerContext;
