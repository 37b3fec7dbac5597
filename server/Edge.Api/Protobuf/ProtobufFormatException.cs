namespace Edge.Api.Protobuf;

/// <summary>
/// A Kubernetes protobuf body Edge cannot turn into JSON: bad envelope, malformed wire data, a field
/// or kind Edge has no schema for. The only exception <see cref="KubernetesProtobuf.Decode"/> throws.
/// </summary>
public sealed class ProtobufFormatException : FormatException
{
    public ProtobufFormatException(string message) : base(message) { }

    public ProtobufFormatException(string message, Exception inner) : base(message, inner) { }
}
