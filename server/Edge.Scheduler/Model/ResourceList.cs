using System.Text.Json.Nodes;

namespace Edge.Scheduler.Model;

/// <summary>
/// Amounts of the resources the scheduler accounts: cpu in milli-units, the rest in whole units,
/// extended resources (<c>example.com/gpu</c>, hugepages) by name. Mutable so that a node's
/// requested total is updated in place as pods come and go.
/// </summary>
public sealed class ResourceList
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string EphemeralStorage = "ephemeral-storage";
    public const string Pods = "pods";

    public long MilliCpu { get; set; }
    public long MemoryBytes { get; set; }
    public long EphemeralStorageBytes { get; set; }
    public long PodCount { get; set; }

    /// <summary>Extended resources; null while there are none (most pods and nodes).</summary>
    public Dictionary<string, long>? Scalars { get; private set; }

    public long Scalar(string name) => Scalars is { } s && s.TryGetValue(name, out var v) ? v : 0;

    public void Set(string name, long amount)
    {
        switch (name)
        {
            case Cpu: MilliCpu = amount; break;
            case Memory: MemoryBytes = amount; break;
            case EphemeralStorage: EphemeralStorageBytes = amount; break;
            case Pods: PodCount = amount; break;
            default:
                (Scalars ??= new(StringComparer.Ordinal))[name] = amount;
                break;
        }
    }

    public long Get(string name) => name switch
    {
        Cpu => MilliCpu,
        Memory => MemoryBytes,
        EphemeralStorage => EphemeralStorageBytes,
        Pods => PodCount,
        _ => Scalar(name),
    };

    /// <summary>Adds (sign 1) or subtracts (sign -1) <paramref name="other"/>.</summary>
    public void Add(ResourceList other, int sign = 1)
    {
        MilliCpu += sign * other.MilliCpu;
        MemoryBytes += sign * other.MemoryBytes;
        EphemeralStorageBytes += sign * other.EphemeralStorageBytes;
        PodCount += sign * other.PodCount;
        if (other.Scalars is { } scalars)
        {
            foreach (var (name, amount) in scalars)
                Set(name, Scalar(name) + sign * amount);
        }
    }

    /// <summary>Each resource raised to at least its amount in <paramref name="other"/>.</summary>
    public void Max(ResourceList other)
    {
        MilliCpu = Math.Max(MilliCpu, other.MilliCpu);
        MemoryBytes = Math.Max(MemoryBytes, other.MemoryBytes);
        EphemeralStorageBytes = Math.Max(EphemeralStorageBytes, other.EphemeralStorageBytes);
        if (other.Scalars is { } scalars)
        {
            foreach (var (name, amount) in scalars)
                Set(name, Math.Max(Scalar(name), amount));
        }
    }

    public ResourceList Clone()
    {
        var copy = new ResourceList { MilliCpu = MilliCpu, MemoryBytes = MemoryBytes, EphemeralStorageBytes = EphemeralStorageBytes, PodCount = PodCount };
        if (Scalars is { } scalars)
            copy.Scalars = new Dictionary<string, long>(scalars, StringComparer.Ordinal);
        return copy;
    }

    /// <summary>Reads a <c>requests</c>/<c>allocatable</c> map; unparsable quantities count as zero, as the API server would have rejected them.</summary>
    public static ResourceList FromObject(JsonNode? map)
    {
        var list = new ResourceList();
        if (map is not JsonObject o)
            return list;
        foreach (var (name, node) in o)
        {
            var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString();
            var amount = name == Cpu ? Quantity.ParseMilli(text) : Quantity.ParseValue(text);
            if (amount is { } a)
                list.Set(name, a);
        }
        return list;
    }
}
