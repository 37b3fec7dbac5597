namespace Edge.Api.Objects;

/// <summary>The finalizers through which a delete's propagation policy reaches the garbage collector.</summary>
public static class Finalizers
{
    /// <summary>Release the dependents (drop their ownerReferences), then let the owner go.</summary>
    public const string Orphan = "orphan";

    /// <summary>Delete the dependents that block owner deletion first, then the owner.</summary>
    public const string Foreground = "foregroundDeletion";
}
