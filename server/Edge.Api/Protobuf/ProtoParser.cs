using System.Globalization;

namespace Edge.Api.Protobuf;

/// <summary>
/// Parses the .proto subset Edge's schema files use: <c>syntax</c>, <c>package</c>, (nested)
/// <c>message</c>s, <c>optional</c>/<c>repeated</c> scalar and message fields, <c>map&lt;K,V&gt;</c>,
/// and the field options <c>json_name</c>, <c>(inline)</c> and <c>(nullable)</c>.
/// The files are ours and embedded, so anything else is a build defect and throws
/// <see cref="InvalidOperationException"/>.
/// </summary>
internal sealed class ProtoParser
{
    static readonly Dictionary<string, ProtoScalar> Scalars = new()
    {
        ["double"] = ProtoScalar.Double, ["float"] = ProtoScalar.Float,
        ["int32"] = ProtoScalar.Int32, ["int64"] = ProtoScalar.Int64,
        ["uint32"] = ProtoScalar.UInt32, ["uint64"] = ProtoScalar.UInt64,
        ["sint32"] = ProtoScalar.SInt32, ["sint64"] = ProtoScalar.SInt64,
        ["fixed32"] = ProtoScalar.Fixed32, ["fixed64"] = ProtoScalar.Fixed64,
        ["sfixed32"] = ProtoScalar.SFixed32, ["sfixed64"] = ProtoScalar.SFixed64,
        ["bool"] = ProtoScalar.Bool, ["string"] = ProtoScalar.String, ["bytes"] = ProtoScalar.Bytes,
    };

    readonly string _file;
    readonly List<(string Text, int Line)> _tokens;
    int _next;
    string _package = "";

    ProtoParser(string file, string text)
    {
        _file = file;
        _tokens = Tokenize(file, text);
    }

    /// <summary>Parses one file into messages keyed by full name (package-qualified, no leading dot).</summary>
    public static void Parse(string file, string text, Dictionary<string, ProtoMessage> into) =>
        new ProtoParser(file, text).ParseFile(into);

    void ParseFile(Dictionary<string, ProtoMessage> into)
    {
        while (_next < _tokens.Count)
        {
            var keyword = Take();
            switch (keyword)
            {
                case "syntax":
                    Expect("=");
                    var syntax = Take();
                    if (syntax != "\"proto2\"") throw Error($"unsupported syntax {syntax}");
                    Expect(";");
                    break;
                case "package":
                    _package = Take();
                    Expect(";");
                    break;
                case "message":
                    ParseMessage(_package, into);
                    break;
                default:
                    throw Error($"unexpected '{keyword}'");
            }
        }
    }

    void ParseMessage(string scope, Dictionary<string, ProtoMessage> into)
    {
        var fullName = Qualify(scope, Take());
        Expect("{");
        var fields = new Dictionary<int, ProtoField>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (Peek() != "}")
        {
            if (Peek() == "message")
            {
                Take();
                ParseMessage(fullName, into);
                continue;
            }

            var field = ParseField(fullName);
            if (!fields.TryAdd(field.Number, field)) throw Error($"{fullName}: field number {field.Number} used twice");
            if (!field.Inline && !names.Add(field.JsonName)) throw Error($"{fullName}: JSON name {field.JsonName} used twice");
        }

        Take();
        if (!into.TryAdd(fullName, new ProtoMessage(fullName, fields))) throw Error($"message {fullName} defined twice");
    }

    ProtoField ParseField(string scope)
    {
        var label = Take() switch
        {
            "optional" => ProtoLabel.Optional,
            "repeated" => ProtoLabel.Repeated,
            "map" => ProtoLabel.Map,
            var other => throw Error($"{scope}: expected optional, repeated or map, found '{other}'"),
        };

        var mapKey = ProtoScalar.Message;
        ProtoType type;
        if (label == ProtoLabel.Map)
        {
            Expect("<");
            var key = Take();
            if (!Scalars.TryGetValue(key, out mapKey) || mapKey is ProtoScalar.Bytes or ProtoScalar.Double or ProtoScalar.Float)
                throw Error($"{scope}: invalid map key type {key}");
            Expect(",");
            type = TypeOf(Take());
            Expect(">");
        }
        else
        {
            type = TypeOf(Take());
        }

        var name = Take();
        Expect("=");
        var numberText = Take();
        if (!int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < 1 || number > WireReader.MaxFieldNumber)
            throw Error($"{scope}.{name}: invalid field number {numberText}");

        string? jsonName = null;
        bool inline = false, nullable = false;
        if (Peek() == "[")
        {
            Take();
            while (true)
            {
                var option = Take();
                if (option == "(")
                {
                    option = "(" + Take() + Take();
                }

                Expect("=");
                var value = Take();
                switch (option)
                {
                    case "json_name":
                        jsonName = Unquote(value);
                        break;
                    case "(inline)":
                        inline = value == "true";
                        break;
                    case "(nullable)":
                        nullable = value == "true";
                        break;
                    default:
                        throw Error($"{scope}.{name}: unknown option {option}");
                }

                if (Peek() == ",")
                {
                    Take();
                    continue;
                }

                Expect("]");
                break;
            }
        }

        Expect(";");
        if (inline && (label != ProtoLabel.Optional || type.Scalar != ProtoScalar.Message))
            throw Error($"{scope}.{name}: only optional message fields can be inline");

        return new ProtoField
        {
            Number = number, Name = name, JsonName = jsonName ?? name, Label = label,
            Type = type, MapKey = mapKey, Inline = inline, Nullable = nullable,
        };
    }

    static ProtoType TypeOf(string name) =>
        Scalars.TryGetValue(name, out var scalar) ? new ProtoType(scalar, null) : new ProtoType(ProtoScalar.Message, name);

    static string Qualify(string scope, string name) => scope.Length == 0 ? name : scope + "." + name;

    string Unquote(string token) =>
        token.Length >= 2 && token[0] == '"' && token[^1] == '"' ? token[1..^1] : throw Error($"expected a string, found {token}");

    string Peek() => _next < _tokens.Count ? _tokens[_next].Text : throw Error("unexpected end of file");

    string Take()
    {
        var token = Peek();
        _next++;
        return token;
    }

    void Expect(string token)
    {
        var found = Take();
        if (found != token) throw Error($"expected '{token}', found '{found}'");
    }

    InvalidOperationException Error(string message)
    {
        var line = _tokens.Count == 0 ? 0 : _tokens[Math.Min(_next, _tokens.Count) - (_next > 0 ? 1 : 0)].Line;
        return new InvalidOperationException($"{_file}:{line}: {message}");
    }

    static List<(string, int)> Tokenize(string file, string text)
    {
        var tokens = new List<(string, int)>();
        int line = 1, i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n') i++;
            }
            else if (c == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0) throw new InvalidOperationException($"{file}:{line}: unterminated string");
                tokens.Add((text[i..(end + 1)], line));
                i = end + 1;
            }
            else if (char.IsLetterOrDigit(c) || c is '_' or '.')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.')) i++;
                tokens.Add((text[start..i], line));
            }
            else if ("{}[]()<>=;,".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add((c.ToString(), line));
                i++;
            }
            else
            {
                throw new InvalidOperationException($"{file}:{line}: unexpected character '{c}'");
            }
        }

        return tokens;
    }
}
