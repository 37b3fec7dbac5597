using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Scheduler.Model;

public enum TaintEffect
{
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
    /// <summary>An effect this scheduler does not know; it neither blocks nor scores.</summary>
    Other,
}

public sealed record Taint(string Key, string Value, TaintEffect Effect)
{
    /// <summary>The filter's reason, built once per taint instead of once per rejected pod.</summary>
    public string UntoleratedReason { get; } = $"node(s) had untolerated taint {{{Key}: {Value}}}";

    public static TaintEffect ParseEffect(string? effect) => effect switch
    {
        "NoSchedule" => TaintEffect.NoSchedule,
        "PreferNoSchedule" => TaintEffect.PreferNoSchedule,
        "NoExecute" => TaintEffect.NoExecute,
        _ => TaintEffect.Other,
    };

    public static Taint FromObject(JsonObject taint) =>
        new(ObjectFields.String(taint, "key") ?? "", ObjectFields.String(taint, "value") ?? "", ParseEffect(ObjectFields.String(taint, "effect")));
}

/// <summary>A pod toleration; a null <see cref="Effect"/> matches every effect and an empty key with Exists every taint.</summary>
public sealed record Toleration(string Key, bool Exists, string Value, TaintEffect? Effect)
{
    public bool Tolerates(Taint taint)
    {
        if (Effect is { } effect && effect != taint.Effect)
            return false;
        if (Key.Length != 0 && Key != taint.Key)
            return false;
        // An empty key is only valid with Exists, which then matches every key.
        return Exists || Value == taint.Value;
    }

    public static bool AnyTolerates(Toleration[] tolerations, Taint taint)
    {
        foreach (var toleration in tolerations)
        {
            if (toleration.Tolerates(taint))
                return true;
        }
        return false;
    }

    public static Toleration FromObject(JsonObject toleration)
    {
        var effect = ObjectFields.String(toleration, "effect");
        return new Toleration(
            ObjectFields.String(toleration, "key") ?? "",
            ObjectFields.String(toleration, "operator") == "Exists",
            ObjectFields.String(toleration, "value") ?? "",
            string.IsNullOrEmpty(effect) ? null : Taint.ParseEffect(effect));
    }
}
