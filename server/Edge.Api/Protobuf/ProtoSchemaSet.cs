namespace Edge.Api.Protobuf;

/// <summary>
/// Every message of Edge's embedded .proto files, parsed and resolved once at first use.
/// </summary>
internal sealed class ProtoSchemaSet
{
    const string ResourcePrefix = "Edge.Api.Protobuf.Schemas.";

    static readonly Lazy<ProtoSchemaSet> Embedded = new(LoadEmbedded);

    readonly Dictionary<string, ProtoMessage> _messages;

    ProtoSchemaSet(Dictionary<string, ProtoMessage> messages) => _messages = messages;

    public static ProtoSchemaSet Instance => Embedded.Value;

    public IReadOnlyCollection<ProtoMessage> Messages => _messages.Values;

    /// <summary>The message with a full name such as <c>k8s.io.api.core.v1.Pod</c> (no leading dot).</summary>
    public ProtoMessage? Find(string fullName) => _messages.GetValueOrDefault(fullName);

    /// <summary>Parses a set of .proto texts (file name to text) and resolves every message reference.</summary>
    public static ProtoSchemaSet Parse(IEnumerable<KeyValuePair<string, string>> files)
    {
        var messages = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        foreach (var (name, text) in files) ProtoParser.Parse(name, text, messages);

        foreach (var message in messages.Values)
        {
            foreach (var field in message.Fields.Values)
            {
                if (field.Type.Scalar != ProtoScalar.Message) continue;
                field.Type.Message = Resolve(messages, message.FullName, field.Type.MessageName!)
                    ?? throw new InvalidOperationException($"{message.FullName}.{field.Name}: unknown type {field.Type.MessageName}");
            }
        }

        return new ProtoSchemaSet(messages);
    }

    /// <summary>Protobuf scoping: a leading dot is absolute, otherwise search from the innermost scope outwards.</summary>
    static ProtoMessage? Resolve(Dictionary<string, ProtoMessage> messages, string scope, string name)
    {
        if (name.StartsWith('.')) return messages.GetValueOrDefault(name[1..]);
        while (true)
        {
            if (messages.TryGetValue(scope.Length == 0 ? name : scope + "." + name, out var found)) return found;
            if (scope.Length == 0) return null;
            var dot = scope.LastIndexOf('.');
            scope = dot < 0 ? "" : scope[..dot];
        }
    }

    static ProtoSchemaSet LoadEmbedded()
    {
        var assembly = typeof(ProtoSchemaSet).Assembly;
        var files = new List<KeyValuePair<string, string>>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".proto", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            files.Add(new(resource[ResourcePrefix.Length..], reader.ReadToEnd()));
        }

        if (files.Count == 0) throw new InvalidOperationException("No embedded .proto schemas found.");
        return Parse(files);
    }
}
