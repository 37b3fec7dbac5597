using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Controllers.Common;

/// <summary>Status conditions as upstream sets them: a transition time that moves only when the status does.</summary>
public static class Conditions
{
    public static JsonObject Create(string type, string status, string reason, string message, TimeProvider time)
    {
        var now = ObjectFields.Timestamp(time.GetUtcNow());
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastUpdateTime"] = now,
            ["lastTransitionTime"] = now,
            ["reason"] = reason,
            ["message"] = message,
        };
    }

    /// <summary>
    /// Puts <paramref name="condition"/> into <paramref name="status"/>.conditions, replacing one of
    /// its type. The old transition time stays when the status value is unchanged; the update time
    /// stays too when reason and message are unchanged (so an unchanged condition is no change).
    /// </summary>
    public static void Set(JsonObject status, JsonObject condition)
    {
        var type = ObjectFields.String(condition, "type");
        var list = status["conditions"] as JsonArray;
        if (list is null)
        {
            list = [];
            status["conditions"] = list;
        }

        var index = list.Select((c, i) => (c, i)).FirstOrDefault(x => ObjectFields.String(x.c, "type") == type, (null, -1)).i;
        if (index >= 0 && list[index] is JsonObject old)
        {
            if (ObjectFields.String(old, "status") == ObjectFields.String(condition, "status"))
            {
                condition["lastTransitionTime"] = old["lastTransitionTime"]?.DeepClone();
                if (ObjectFields.String(old, "reason") == ObjectFields.String(condition, "reason") &&
                    ObjectFields.String(old, "message") == ObjectFields.String(condition, "message"))
                {
                    condition["lastUpdateTime"] = old["lastUpdateTime"]?.DeepClone();
                }
            }

            list[index] = condition;
        }
        else
        {
            list.Add((JsonNode)condition);
        }
    }

    public static void Remove(JsonObject status, string type)
    {
        if (status["conditions"] is JsonArray list)
        {
            foreach (var c in list.Where(c => ObjectFields.String(c, "type") == type).ToList())
            {
                list.Remove(c);
            }
        }
    }
}
