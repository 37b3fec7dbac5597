using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Controllers.Common;

/// <summary>Whether a namespace takes new content (the loops that fill every namespace ask this).</summary>
public static class NamespaceState
{
    /// <summary>The namespace exists and is neither marked for deletion nor Terminating.</summary>
    public static bool IsActive(JsonObject? ns) =>
        ns is not null && ns.DeletionTimestamp() is null && ObjectFields.String(ns["status"], "phase") != "Terminating";
}
