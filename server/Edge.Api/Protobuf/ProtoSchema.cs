namespace Edge.Api.Protobuf;

/// <summary>The scalar types of the .proto subset; <see cref="Message"/> marks a message type.</summary>
internal enum ProtoScalar
{
    Message, Double, Float, Int32, Int64, UInt32, UInt64, SInt32, SInt64,
    Fixed32, Fixed64, SFixed32, SFixed64, Bool, String, Bytes,
}

internal enum ProtoLabel { Optional, Repeated, Map }

/// <summary>Messages whose JSON form is not an object of their fields.</summary>
internal enum WellKnownType { None, Time, MicroTime, Duration, FieldsV1, Quantity, IntOrString, RawExtension }

/// <summary>A field's type: a scalar, or a message by name (resolved once all files are parsed).</summary>
internal sealed class ProtoType(ProtoScalar scalar, string? messageName)
{
    public ProtoScalar Scalar { get; } = scalar;

    public string? MessageName { get; } = messageName;

    public ProtoMessage? Message { get; set; }

    public ProtoMessage ResolvedMessage =>
        Message ?? throw new InvalidOperationException($"Message type {MessageName} was not resolved.");
}

internal sealed class ProtoField
{
    public required int Number { get; init; }

    public required string Name { get; init; }

    /// <summary>The JSON property name; equals <see cref="Name"/> unless the schema says json_name.</summary>
    public required string JsonName { get; init; }

    public required ProtoLabel Label { get; init; }

    /// <summary>The field's type, or the value type of a map.</summary>
    public required ProtoType Type { get; init; }

    public ProtoScalar MapKey { get; init; }

    /// <summary>A Go embedded struct: its fields appear in the parent's JSON object.</summary>
    public bool Inline { get; init; }

    /// <summary>
    /// A Go pointer field: a zero value on the wire was set on purpose and stays in the JSON.
    /// Other scalars with zero values are dropped, because Go's protobuf encoder writes every
    /// non-pointer field while its JSON encoder omits the empty ones.
    /// </summary>
    public bool Nullable { get; init; }
}

internal sealed class ProtoMessage(string fullName, IReadOnlyDictionary<int, ProtoField> fields)
{
    public string FullName { get; } = fullName;

    public IReadOnlyDictionary<int, ProtoField> Fields { get; } = fields;

    public WellKnownType WellKnown { get; } = fullName switch
    {
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time" => WellKnownType.Time,
        "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime" => WellKnownType.MicroTime,
        "k8s.io.apimachinery.pkg.apis.meta.v1.Duration" => WellKnownType.Duration,
        "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1" => WellKnownType.FieldsV1,
        "k8s.io.apimachinery.pkg.api.resource.Quantity" => WellKnownType.Quantity,
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => WellKnownType.IntOrString,
        "k8s.io.apimachinery.pkg.runtime.RawExtension" => WellKnownType.RawExtension,
        _ => WellKnownType.None,
    };
}
