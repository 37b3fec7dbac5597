using System.Text.Json.Serialization;

namespace Edge.Agent.Join;

// The wire format of edge-server's join service (server/Edge.Server/Join/JoinContracts.cs). Agent
// projects may not reference the server's, so the agent keeps its own copy of these few records.

/// <summary><c>POST /v1-edge/join</c>, authenticated by the token.</summary>
public sealed record JoinRequest(string NodeName, string Csr, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Taints);

/// <summary><c>POST /v1-edge/renew</c>, authenticated by the current node certificate.</summary>
public sealed record RenewRequest(string Csr);

/// <summary>The node certificate, the CA (PEM) and the cluster's settings for this node.</summary>
public sealed record JoinResponse(string? Certificate, string? Ca, NodeConfig? Config);

/// <summary>The cluster's networks; <c>PodCidr</c> may be empty when the server had not assigned it yet.</summary>
public sealed record NodeConfig(string? ClusterCidr, string? ServiceCidr, string? ClusterDns, string? PodCidr);

/// <summary>The part of a meta/v1 Status the agent shows.</summary>
public sealed record StatusBody(string? Message, string? Reason, int Code);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(RenewRequest))]
[JsonSerializable(typeof(JoinResponse))]
[JsonSerializable(typeof(StatusBody))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
