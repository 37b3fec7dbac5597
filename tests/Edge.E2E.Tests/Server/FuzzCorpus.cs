using System.Text;

namespace Edge.E2E.Tests.Server;

/// <summary>One hostile request; <see cref="Index"/> and the corpus seed reproduce it exactly.</summary>
public sealed record FuzzRequest(int Index, string Category, string Method, string Target, string? ContentType, byte[]? Body, bool Chunked = false, int? ExpectStatus = null)
{
    public override string ToString()
    {
        var preview = Body is null ? "no body" : $"{Body.Length} bytes: {Escape(Body.AsSpan(0, Math.Min(Body.Length, 160)))}";
        var target = Target.Length > 200 ? Target[..200] + $"…({Target.Length} chars)" : Target;
        return $"#{Index} [{Category}] {Method} {target} content-type={ContentType ?? "(none)"}{(Chunked ? " chunked" : "")} {preview}";
    }

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return text.ToString();
    }
}

/// <summary>
/// Deterministic hostile requests: request <c>i</c> comes from <c>new Random(seed + i)</c> alone, so
/// any failure reproduces from its index. Nothing here ever names the namespace <see cref="Kept"/>,
/// whose objects must survive the run untouched; destructive verbs only aim at <see cref="Target"/>.
/// </summary>
public sealed class FuzzCorpus(int seed)
{
    public const string Kept = "kept";
    public const string Target = "fuzz-target";
    public const string Victim = "victim";

    private const string CoreNs = "/api/v1/namespaces/" + Target;
    private const string AppsNs = "/apis/apps/v1/namespaces/" + Target;

    private static readonly string[] Collections =
    [
        CoreNs + "/configmaps", CoreNs + "/pods", CoreNs + "/secrets", CoreNs + "/services", AppsNs + "/deployments", "/api/v1/namespaces",
    ];

    private static readonly string[] Victims = [CoreNs + "/configmaps/" + Victim, CoreNs + "/pods/" + Victim, AppsNs + "/deployments/" + Victim];

    private static readonly string[] PatchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO", "PROPFIND"];

    private static readonly string[] PathWords =
    [
        "api", "apis", "v1", "v2", "apps", "batch", "namespaces", Target, "default", "kube-system", "pods", "configmaps", "deployments",
        "secrets", "services", "nodes", "events", "status", "scale", "log", "binding", "eviction", "finalize", "watch", "proxy", "exec",
        Victim, "..", ".", "%2e%2e", "%00", "%ff", "%c0%80", "a%2fb", "~", "*", "%20", "x", "😀", "namespaces%00", "pods;x", "v1?", "",
    ];

    private static readonly string[] LabelSelectors =
    [
        "a=", "=b", "a in (", "a in ()", "a in (b", "a notin (b,", "!a=b", "a==b==c", "a,,b", ",", "=", "!", "!!a", "a!", "a in (b)(c)",
        "a>b", "a<", "a>1.5", "a gt 1", "-a=b", "a.=b", "a/b/c=d", "/a=b", "a=b c", "a=%00", "a=\u0000", "a=\uffff", "\ud800=1",
        "a in (" + new string('b', 70) + ")", new string('k', 300) + "=v", "a=" + new string('v', 64), "a=b,", "a=b,,c=d", "(a)", "a in b",
        "x notin", "exists", "!a,!b,c in (d),e!=f,g", "a=b=c", "a!==b", "a=~b", "  ", "a=\"b\"", "a='b'",
    ];

    private static readonly string[] FieldSelectors =
    [
        "metadata.name", "metadata.name=", "=x", "metadata.name==x==y", "spec.nodeName=a", "unknown.field=x", "metadata.namespace!=",
        "status.phase in (a)", "metadata.name=a,,b=c", ",", "metadata.name=\u0000", "metadata.labels.a=b", "metadata.name=" + new string('n', 5000),
        "metadata.name!=a!=b", "a\\=b=c", "metadata.name=a\\", "\\", "type=x", "involvedObject.name=x", "spec.unschedulable=maybe",
    ];

    private static readonly string[] BadNumbers =
    [
        "-1", "abc", "1e3", "99999999999999999999", "0x10", " 1", "1.5", "+5", "-0", "1_000", "NaN", "∞", "%00", "9223372036854775807",
        "9223372036854775808", "2147483648", "4294967296", "99999999999", "9999999", "", "0", "1",
    ];

    private static readonly string[] ListParams =
    [
        "limit", "continue", "resourceVersion", "resourceVersionMatch", "timeoutSeconds", "watch", "sendInitialEvents", "allowWatchBookmarks",
        "labelSelector", "fieldSelector", "includeObject", "pretty",
    ];

    private static readonly string[] ContentTypes =
    [
        "", "text/plain", "application/xml", "application/vnd.kubernetes.protobuf", "application/json; charset=utf-16", "application/json;;;",
        "garbage", "application/*", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/apply-patch+yaml",
        "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json", "application/yaml; x=y",
        "APPLICATION/JSON", "application/json\u0000", "application/" + new string('j', 4000), "/", ";", "application/json, text/plain",
    ];

    public int Seed => seed;

    /// <summary>Request number <paramref name="index"/>; the categories take turns so each gets an even share.</summary>
    public FuzzRequest Get(int index)
    {
        var random = new Random(seed + index);
        Func<Random, int, FuzzRequest>[] generators =
        [
            BrokenJson, BrokenYaml, WrongKind, HugeName, DeepNesting, BadSelector, BadListParameters, BadPatch, BadContentType,
            RandomPath, NullAndInvalidUtf8, BadWriteOptions, BrokenJson, BadPatch, RandomPath, BadListParameters,
        ];
        // Bodies of megabytes are costly: one request in 100 is one, over or just under the limit.
        return index % 200 == 199 ? Oversized(random, index) :
            index % 200 == 99 ? LargeButAllowed(random, index) :
            generators[index % generators.Length](random, index);
    }

    // ---- valid objects, the raw material of the mutations ----

    private static string Name(Random random) => "fz-" + random.Next(1_000_000).ToString("x");

    private static string ValidJson(Random random, string kind, string name) => kind switch
    {
        "Pod" => JsonText.Fill("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"@0@","labels":{"app":"fz"}},"spec":{"containers":[{"name":"c","image":"busybox","env":[{"name":"A","value":"1"}]}]}}""", name),
        "Deployment" => JsonText.Fill("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"@0@"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"fz"}},"template":{"metadata":{"labels":{"app":"fz"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}""", name),
        "Secret" => JsonText.Fill("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"@0@"},"type":"Opaque","data":{"k":"dmFsdWU="},"stringData":{"s":"t"}}""", name),
        "Service" => JsonText.Fill("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"@0@"},"spec":{"selector":{"app":"fz"},"ports":[{"port":80,"targetPort":8080,"protocol":"TCP"}]}}""", name),
        "Namespace" => JsonText.Fill("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"@0@"}}""", name),
        _ => JsonText.Fill("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"@0@","labels":{"a":"b"},"annotations":{"n":"@1@"}},"data":{"k":"v","n":"1"},"binaryData":{"b":"AAE="}}""", name, random.Next()),
    };

    private static string ValidYaml(string kind, string name) => kind switch
    {
        "Pod" => $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels:\n    app: fz\nspec:\n  containers:\n  - name: c\n    image: busybox\n    args: [\"a\", 'b', c]\n",
        "Deployment" => $"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: fz}}\n  template:\n    metadata:\n      labels:\n        app: fz\n    spec:\n      containers:\n      - name: c\n        image: nginx\n",
        _ => $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  labels:\n    a: b\ndata:\n  k: v\n  multi: |\n    line one\n    line two\n  n: \"1\"\n",
    };

    private static (string Kind, string Collection) PickKind(Random random) => random.Next(6) switch
    {
        0 => ("Pod", CoreNs + "/pods"),
        1 => ("Deployment", AppsNs + "/deployments"),
        2 => ("Secret", CoreNs + "/secrets"),
        3 => ("Service", CoreNs + "/services"),
        4 => ("Namespace", "/api/v1/namespaces"),
        _ => ("ConfigMap", CoreNs + "/configmaps"),
    };

    private static string VictimFor(string kind) => kind switch
    {
        "Pod" => Victims[1],
        "Deployment" => Victims[2],
        _ => Victims[0],
    };

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>Truncations, byte flips, insertions and cut-outs of a valid document.</summary>
    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = new List<byte>(valid);
        var rounds = 1 + random.Next(4);
        for (var round = 0; round < rounds && bytes.Count > 1; round++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 1:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 3:
                    bytes.Insert(at, Pick(random, "{}[]\",:\\\0\n-&*!|>'#%@`"u8.ToArray()));
                    break;
                default:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(12)));
                    break;
            }
        }

        return [.. bytes];
    }

    // ---- the categories ----

    private FuzzRequest BrokenJson(Random random, int index)
    {
        var (kind, collection) = PickKind(random);
        var body = Mutate(random, Encoding.UTF8.GetBytes(ValidJson(random, kind, Name(random))));
        var put = random.Next(3) == 0 && kind != "Namespace";
        return new FuzzRequest(index, "broken-json", put ? "PUT" : "POST", put ? VictimFor(kind) : collection, "application/json", body);
    }

    private FuzzRequest BrokenYaml(Random random, int index)
    {
        var kind = Pick(random, new[] { "Pod", "Deployment", "ConfigMap" });
        var body = Mutate(random, Encoding.UTF8.GetBytes(ValidYaml(kind, Name(random))));
        if (random.Next(10) == 0)
        {
            // Alias expansion ("billion laughs"): small document, enormous tree.
            body = Encoding.UTF8.GetBytes(BillionLaughs(random.Next(3, 10)));
        }

        var collection = kind switch { "Pod" => CoreNs + "/pods", "Deployment" => AppsNs + "/deployments", _ => CoreNs + "/configmaps" };
        return new FuzzRequest(index, "broken-yaml", "POST", collection, "application/yaml", body);
    }

    private static string BillionLaughs(int levels)
    {
        var yaml = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: laughs\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 1; level <= levels; level++)
        {
            var previous = $"*x{level - 1}";
            yaml.Append($"x{level}: &x{level} [{string.Join(", ", Enumerable.Repeat(previous, 10))}]\n");
        }

        return yaml.Append("data: *x" + levels + "\n").ToString();
    }

    private FuzzRequest WrongKind(Random random, int index)
    {
        var (kind, collection) = PickKind(random);
        string[] kinds = ["\"Pod\"", "\"ConfigMap\"", "\"Deployment\"", "\"Namespace\"", "\"\"", "\"Status\"", "\"List\"", "\"pod\"", "\"ConfigMapList\"", "\"Scale\"", "42", "null", "{}", "[]", "\"" + new string('K', 1000) + "\""];
        string[] apiVersions = ["\"v1\"", "\"apps/v1\"", "\"v2\"", "\"apps/v2\"", "\"/v1\"", "\"apps/\"", "\"a/b/c\"", "\"\"", "null", "7", "[]", "\"batch/v1\"", "\"meta.k8s.io/v1\"", "\"V1\""];
        var json = ValidJson(random, kind, Name(random));
        var originalKind = $"\"kind\":\"{kind}\"";
        var originalApiVersion = json[(json.IndexOf("\"apiVersion\":", StringComparison.Ordinal) + 13)..json.IndexOf(",\"kind\"", StringComparison.Ordinal)];
        json = random.Next(3) switch
        {
            0 => json.Replace(originalKind, "\"kind\":" + Pick(random, kinds), StringComparison.Ordinal),
            1 => json.Replace("\"apiVersion\":" + originalApiVersion, "\"apiVersion\":" + Pick(random, apiVersions), StringComparison.Ordinal),
            _ => json.Replace(originalKind, "\"kind\":" + Pick(random, kinds), StringComparison.Ordinal)
                .Replace("\"apiVersion\":" + originalApiVersion, "\"apiVersion\":" + Pick(random, apiVersions), StringComparison.Ordinal),
        };
        if (random.Next(4) == 0)
        {
            json = json.Replace("\"kind\":", "\"dropped\":", StringComparison.Ordinal);
        }

        // Keys given twice: upstream takes the last (or refuses under Strict); a JSON tree that
        // throws on the second key would be a 500.
        switch (random.Next(4))
        {
            case 0:
                json = "{\"kind\":\"Twice\"," + json[1..];
                break;
            case 1:
                json = json.Replace("\"metadata\":{", "\"metadata\":{\"name\":\"dup-" + random.Next(1000) + "\",", StringComparison.Ordinal);
                break;
        }

        var put = random.Next(4) == 0;
        return new FuzzRequest(index, "wrong-kind", put ? "PUT" : "POST", put ? Pick(random, Victims) : Pick(random, Collections), "application/json", Encoding.UTF8.GetBytes(json));
    }

    private FuzzRequest HugeName(Random random, int index)
    {
        int[] lengths = [64, 254, 300, 1000, 4000, 65_536, 1_048_576];
        var length = Pick(random, lengths);
        var name = string.Create(length, random.Next(), (span, s) =>
        {
            var r = new Random(s);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + r.Next(26));
            }
        });
        var (kind, collection) = PickKind(random);
        switch (random.Next(5))
        {
            case 0:
                // In the path; Kestrel's request line stops at 8 KiB, so paths stay below it.
                var inPath = name[..Math.Min(name.Length, 6000)];
                var method = Pick(random, new[] { "GET", "PUT", "PATCH", "DELETE" });
                var body = method is "PUT" or "PATCH" ? Encoding.UTF8.GetBytes(ValidJson(random, kind, inPath)) : null;
                var contentType = method == "PATCH" ? "application/merge-patch+json" : body is null ? null : "application/json";
                var path = random.Next(3) == 0 && method == "GET" ? $"/api/v1/namespaces/{inPath}/configmaps" : $"{collection}/{inPath}";
                return new FuzzRequest(index, "huge-name", method, path, contentType, body);
            case 1:
                var json = ValidJson(random, kind, "x").Replace("\"name\":\"x\"", $"\"generateName\":\"{name}\"", StringComparison.Ordinal);
                return new FuzzRequest(index, "huge-name", "POST", collection, "application/json", Encoding.UTF8.GetBytes(json));
            case 2:
                var labelled = ValidJson(random, "ConfigMap", Name(random)).Replace("\"labels\":{\"a\":\"b\"}", $"\"labels\":{{\"{name}\":\"{name[..Math.Min(name.Length, 100)]}\"}}", StringComparison.Ordinal);
                return new FuzzRequest(index, "huge-name", "POST", CoreNs + "/configmaps", "application/json", Encoding.UTF8.GetBytes(labelled));
            case 3:
                var annotated = ValidJson(random, "ConfigMap", Name(random)).Replace("\"n\":\"", $"\"{name[..Math.Min(name.Length, 300)]}\":\"{name}", StringComparison.Ordinal);
                return new FuzzRequest(index, "huge-name", "POST", CoreNs + "/configmaps", "application/json", Encoding.UTF8.GetBytes(annotated));
            default:
                return new FuzzRequest(index, "huge-name", "POST", collection, "application/json", Encoding.UTF8.GetBytes(ValidJson(random, kind, name)));
        }
    }

    private FuzzRequest DeepNesting(Random random, int index)
    {
        var depth = Pick(random, new[] { 101, 1000, 10_000, 10_000, 100_000 });
        var kindOfNesting = random.Next(3);
        string deep = kindOfNesting switch
        {
            0 => new string('[', depth) + new string(']', depth),
            1 => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
            _ => string.Concat(Enumerable.Repeat("[{\"a\":", depth / 2)) + "null" + string.Concat(Enumerable.Repeat("}]", depth / 2)),
        };
        switch (random.Next(6))
        {
            case 0:
                return new FuzzRequest(index, "deep-nesting", "POST", Pick(random, Collections), "application/json", Encoding.UTF8.GetBytes(deep));
            case 1:
                var inside = ValidJson(random, "ConfigMap", Name(random)).Replace("\"k\":\"v\"", "\"k\":" + deep, StringComparison.Ordinal);
                return new FuzzRequest(index, "deep-nesting", random.Next(2) == 0 ? "POST" : "PUT", random.Next(2) == 0 ? CoreNs + "/configmaps" : Victims[0], "application/json", Encoding.UTF8.GetBytes(inside));
            case 2:
                var patchType = Pick(random, PatchTypes);
                var patch = patchType == "application/json-patch+json"
                    ? JsonText.Fill("""[{"op":"add","path":"/metadata/annotations/deep","value":@0@}]""", deep)
                    : JsonText.Fill("""{"metadata":{"annotations":{"deep":@0@}},"spec":@1@}""", deep, deep);
                return new FuzzRequest(index, "deep-nesting", "PATCH", Pick(random, Victims), patchType, Encoding.UTF8.GetBytes(patch));
            case 3:
                // YAML flow style nests as deeply as JSON.
                var flow = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  k: " + deep + "\n";
                return new FuzzRequest(index, "deep-nesting", "POST", CoreNs + "/configmaps", "application/yaml", Encoding.UTF8.GetBytes(flow));
            case 4:
                // YAML block style: indentation grows with depth, so fewer levels.
                var block = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n");
                var levels = Math.Min(depth, 1500);
                for (var level = 1; level <= levels; level++)
                {
                    block.Append(' ', level).Append(random.Next(2) == 0 ? "- \n" : "a:\n");
                }

                return new FuzzRequest(index, "deep-nesting", "POST", CoreNs + "/configmaps", "application/yaml", Encoding.UTF8.GetBytes(block.ToString()));
            default:
                return new FuzzRequest(index, "deep-nesting", "PUT", Victims[2], "application/yaml", Encoding.UTF8.GetBytes("[" + deep + "]"));
        }
    }

    private FuzzRequest BadSelector(Random random, int index)
    {
        var label = random.Next(3) != 0;
        var selector = label ? Pick(random, LabelSelectors) : Pick(random, FieldSelectors);
        if (random.Next(3) == 0)
        {
            selector = Encoding.UTF8.GetString(Mutate(random, Encoding.UTF8.GetBytes(selector + ",app in (x,y),tier!=z")));
        }

        var collection = Pick(random, new[] { CoreNs + "/pods", CoreNs + "/configmaps", AppsNs + "/deployments", "/api/v1/pods", "/api/v1/namespaces", "/api/v1/nodes", "/api/v1/events", CoreNs + "/secrets" });
        var query = (label ? "labelSelector=" : "fieldSelector=") + Uri.EscapeDataString(selector);
        if (random.Next(4) == 0)
        {
            query += "&watch=true&timeoutSeconds=1";
        }

        return new FuzzRequest(index, "bad-selector", "GET", collection + "?" + query, null, null);
    }

    private FuzzRequest BadListParameters(Random random, int index)
    {
        var parameters = new List<string>();
        var count = 1 + random.Next(4);
        for (var i = 0; i < count; i++)
        {
            var name = Pick(random, ListParams);
            var value = name switch
            {
                "continue" => Pick(random, new[]
                {
                    "garbage", "%%%", Convert.ToBase64String("-1\n/registry/configmaps/"u8), Convert.ToBase64String("99999999999\n/registry/x"u8),
                    Convert.ToBase64String("1\n"u8), Convert.ToBase64String("\n"u8), Convert.ToBase64String(new byte[] { 0xff, 0xfe, 0 }),
                    "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJ4In0", new string('A', 5000), "=", "AAAA====",
                }),
                "resourceVersionMatch" => Pick(random, new[] { "Exact", "NotOlderThan", "bogus", "exact", "", "%00" }),
                "watch" or "sendInitialEvents" or "allowWatchBookmarks" => Pick(random, new[] { "maybe", "true", "1", "yes", "TRUE", "", "%ff" }),
                "labelSelector" => Uri.EscapeDataString(Pick(random, LabelSelectors)),
                "fieldSelector" => Uri.EscapeDataString(Pick(random, FieldSelectors)),
                _ => Uri.EscapeDataString(Pick(random, BadNumbers)),
            };
            parameters.Add($"{name}={value}");
        }

        var collection = Pick(random, new[] { CoreNs + "/configmaps", CoreNs + "/pods", AppsNs + "/deployments", "/api/v1/configmaps", "/api/v1/namespaces", Victims[0] });
        return new FuzzRequest(index, "bad-list-parameters", "GET", collection + "?" + string.Join('&', parameters), null, null);
    }

    private FuzzRequest BadPatch(Random random, int index)
    {
        var patchType = Pick(random, PatchTypes);
        string[] jsonPatches =
        [
            "{}", "\"x\"", "1", "null", "true", "[1]", "[[]]", "[null]", "[{}]", """[{"op":"bogus","path":"/a"}]""", """[{"op":"add"}]""",
            """[{"op":"add","path":"metadata"}]""", """[{"op":"add","path":"/metadata/labels/x"}]""", """[{"op":"remove","path":"/"}]""",
            """[{"op":"replace","path":"","value":[]}]""", """[{"op":"replace","path":"","value":"x"}]""", """[{"op":"move","from":"/metadata","path":"/metadata/name"}]""",
            """[{"op":"copy","from":"/spec","path":"/spec/x"}]""", """[{"op":"test","path":"/metadata/name","value":"other"}]""",
            """[{"op":"add","path":"/spec/containers/-1","value":{}}]""", """[{"op":"add","path":"/spec/containers/99999999999","value":{}}]""",
            """[{"op":"add","path":"/spec/containers/01","value":{}}]""", """[{"op":"remove","path":"/data/~2"}]""", """[{"op":"remove","path":"/data/~"}]""",
            """[{"op":"replace","path":"/metadata/namespace","value":"kept"}]""", """[{"op":"replace","path":"/metadata/name","value":"renamed"}]""",
            """[{"op":"replace","path":"/metadata/resourceVersion","value":"1"}]""", """[{"op":"add","path":"/metadata/uid","value":7}]""",
            """[{"op":"add","path":"/kind","value":"Secret"}]""", """[{"op":"remove","path":"/apiVersion"}]""", """[{"op":"add","path":"/a/b/c/d","value":1}]""",
            "[" + string.Join(',', Enumerable.Repeat("""{"op":"add","path":"/metadata/labels/x","value":"y"}""", 5000)) + "]",
            """[{"op":"add","path":"/spec/replicas","value":-5}]""", """[{"op":"add","path":"/spec/replicas","value":1e400}]""",
            """[{"op":"add","path":"/data/k","value":"\u0000"}]""", """[{"op":"add","path":"/metadata/labels/\u00ff","value":"x"}]""",
        ];
        string[] mergePatches =
        [
            "[]", "[{}]", "\"x\"", "1", "null", "true", "{\"metadata\":null}", "{\"metadata\":[]}", "{\"metadata\":{\"name\":null}}", "{\"metadata\":{\"name\":\"other\"}}",
            "{\"metadata\":{\"namespace\":\"kept\"}}", "{\"metadata\":{\"resourceVersion\":\"1\"}}", "{\"metadata\":{\"resourceVersion\":\"abc\"}}",
            "{\"metadata\":{\"uid\":\"x\"}}", "{\"kind\":\"Secret\"}", "{\"apiVersion\":\"v2\"}", "{\"apiVersion\":null}", "{\"spec\":\"x\"}",
            "{\"spec\":{\"containers\":null}}", "{\"spec\":{\"containers\":[{}]}}", "{\"spec\":{\"replicas\":\"many\"}}", "{\"spec\":{\"replicas\":1e400}}",
            "{\"data\":{\"k\":1}}", "{\"data\":[1,2]}", "{\"metadata\":{\"labels\":{\"bad key!\":\"v\"}}}", "{\"metadata\":{\"finalizers\":[7]}}",
            "{\"metadata\":{\"creationTimestamp\":\"yesterday\"}}", "{\"metadata\":{\"deletionTimestamp\":\"2000-01-01T00:00:00Z\"}}",
            "{\"metadata\":{\"ownerReferences\":[{}]}}", "{\"metadata\":{\"managedFields\":\"x\"}}", "{\"status\":{\"phase\":7}}",
        ];
        string[] strategicPatches =
        [
            "{\"$patch\":\"bogus\"}", "{\"$patch\":\"delete\"}", "{\"$patch\":\"replace\"}", "{\"$patch\":\"merge\"}", "{\"$patch\":7}", "{\"$patch\":null}",
            "{\"metadata\":{\"$patch\":\"delete\"}}", "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"a\":\"b\"}}}",
            "{\"spec\":{\"containers\":[{\"$patch\":\"bogus\"}]}}", "{\"spec\":{\"containers\":[{\"$patch\":\"delete\"}]}}",
            "{\"spec\":{\"containers\":[{\"$patch\":\"delete\",\"name\":\"c\"}]}}", "{\"spec\":{\"containers\":[{\"$patch\":\"replace\"}]}}",
            "{\"spec\":{\"containers\":[{\"name\":null}]}}", "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}", "{\"spec\":{\"containers\":[\"x\",1,null]}}",
            "{\"spec\":{\"containers\":{\"name\":\"c\"}}}", "{\"spec\":{\"$setElementOrder/containers\":\"x\"}}", "{\"spec\":{\"$setElementOrder/containers\":[1,2]}}",
            "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"zz\"}]}}", "{\"spec\":{\"$setElementOrder/containers\":[{}]}}",
            "{\"spec\":{\"$retainKeys\":\"x\"}}", "{\"spec\":{\"$retainKeys\":[1]}}", "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}",
            "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":{}}}", "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":\"x\"}}",
            "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[{}]}}", "{\"$deleteFromPrimitiveList/x\":[1]}", "{\"$setElementOrder/data\":[\"k\"]}",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"env\":[{\"$patch\":\"delete\"}]}]}}}}",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":\"x\"}]}]}}}}",
            "{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"v\",\"$patch\":\"replace\"}]}}}}", "{\"data\":{\"$patch\":\"delete\"}}",
            "{\"spec\":{\"selector\":{\"$patch\":\"replace\"}}}", "{\"$unknownDirective\":1}", "{\"metadata\":{\"$patch\":\"replace\"}}",
            "[]", "\"x\"", "null",
        ];
        var body = patchType switch
        {
            "application/json-patch+json" => Pick(random, jsonPatches),
            "application/merge-patch+json" => Pick(random, random.Next(4) == 0 ? strategicPatches : mergePatches),
            _ => Pick(random, random.Next(4) == 0 ? mergePatches : strategicPatches),
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        if (random.Next(4) == 0)
        {
            bytes = Mutate(random, bytes);
        }

        var target = Pick(random, Victims);
        if (random.Next(8) == 0)
        {
            target += Pick(random, new[] { "/status", "/scale" });
        }
        else if (random.Next(8) == 0)
        {
            target = CoreNs + "/configmaps/absent-" + random.Next(100);
        }

        return new FuzzRequest(index, "bad-patch", "PATCH", target, patchType, bytes);
    }

    private FuzzRequest BadContentType(Random random, int index)
    {
        var (kind, collection) = PickKind(random);
        var method = Pick(random, new[] { "POST", "PUT", "PATCH" });
        var body = method == "PATCH" ? Encoding.UTF8.GetBytes("{\"metadata\":{\"labels\":{\"ct\":\"x\"}}}") : Encoding.UTF8.GetBytes(ValidJson(random, kind, Name(random)));
        var contentType = random.Next(6) == 0 ? null : Pick(random, ContentTypes);
        var target = method == "POST" ? collection : VictimFor(kind);
        return new FuzzRequest(index, "bad-content-type", method, target, contentType, body);
    }

    private FuzzRequest RandomPath(Random random, int index)
    {
        var method = Pick(random, Methods);
        var segments = new List<string> { random.Next(2) == 0 ? "api" : "apis" };
        var count = random.Next(8);
        for (var i = 0; i < count; i++)
        {
            segments.Add(random.Next(5) == 0 ? Name(random) : Pick(random, PathWords));
        }

        var path = "/" + string.Join('/', segments);
        if (method == "DELETE")
        {
            // Deletes may only land in the fuzzing namespace.
            path = Pick(random, Collections[..5]) + (count > 0 ? "/" + string.Join('/', segments.Skip(1).Take(2)) : "");
        }

        if (random.Next(5) == 0)
        {
            path += "?" + Pick(random, ListParams) + "=" + Uri.EscapeDataString(Pick(random, BadNumbers));
        }

        if (path.Contains("watch=", StringComparison.Ordinal) || path.Contains("/watch", StringComparison.Ordinal))
        {
            path += (path.Contains('?') ? "&" : "?") + "timeoutSeconds=1";
        }

        byte[]? body = method is "POST" or "PUT" or "PATCH" || random.Next(10) == 0
            ? Encoding.UTF8.GetBytes(random.Next(2) == 0 ? ValidJson(random, PickKind(random).Kind, Name(random)) : "{\"random\":" + random.Next() + "}")
            : null;
        var contentType = body is null ? null : method == "PATCH" ? Pick(random, PatchTypes) : "application/json";
        return new FuzzRequest(index, "random-path", method, path, contentType, body);
    }

    private FuzzRequest NullAndInvalidUtf8(Random random, int index)
    {
        byte[][] poison =
        [
            [0x00], [0xff], [0xfe, 0xff], [0xc0, 0x80], [0xc0, 0xaf], [0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80],
            "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray(), "\\udfff\\ud800"u8.ToArray(), "\\uZZZZ"u8.ToArray(), "\\"u8.ToArray(),
        ];
        var (kind, collection) = PickKind(random);
        switch (random.Next(5))
        {
            case 0:
            case 1:
                // Inside a string value, a name, a key or a label.
                var json = Encoding.UTF8.GetBytes(ValidJson(random, kind, "NAME"));
                var places = new List<int>();
                for (var i = 0; i < json.Length; i++)
                {
                    if (json[i] == (byte)'"' && i + 1 < json.Length && json[i + 1] != (byte)':' && json[i + 1] != (byte)',' && json[i + 1] != (byte)'}')
                    {
                        places.Add(i + 1);
                    }
                }

                var at = Pick(random, places);
                byte[] body = [.. json.AsSpan(0, at), .. Pick(random, poison), .. json.AsSpan(at)];
                var yaml = random.Next(4) == 0;
                return new FuzzRequest(index, "null-and-utf8", "POST", collection, yaml ? "application/yaml" : "application/json", yaml ? [.. Encoding.UTF8.GetBytes(ValidYaml(kind, "n")), .. Pick(random, poison), .. "x: y\n"u8] : body);
            case 2:
                var patch = Encoding.UTF8.GetBytes("{\"metadata\":{\"labels\":{\"k\":\"v\"}},\"data\":{\"k\":\"v\"}}");
                var spot = random.Next(1, patch.Length);
                return new FuzzRequest(index, "null-and-utf8", "PATCH", Pick(random, Victims), Pick(random, PatchTypes), [.. patch.AsSpan(0, spot), .. Pick(random, poison), .. patch.AsSpan(spot)]);
            case 3:
                string[] escapes = ["%00", "%ff", "%c0%80", "%ed%a0%80", "%fe%ff", "a%00b", "%e2%82"];
                var path = random.Next(2) == 0 ? $"{collection}/{Pick(random, escapes)}" : $"/api/v1/namespaces/{Pick(random, escapes)}/configmaps";
                return new FuzzRequest(index, "null-and-utf8", Pick(random, new[] { "GET", "PUT", "PATCH" }), path, "application/json", Encoding.UTF8.GetBytes(ValidJson(random, kind, "x")));
            default:
                var parameter = Pick(random, new[] { "labelSelector", "fieldSelector", "continue", "resourceVersion", "limit", "watch", "fieldManager", "dryRun" });
                return new FuzzRequest(index, "null-and-utf8", "GET", $"{collection}?{parameter}=a{Pick(random, new[] { "%00", "%ff", "%c0%80", "%ed%a0%80" })}b", null, null);
        }
    }

    private FuzzRequest BadWriteOptions(Random random, int index)
    {
        string[] queries =
        [
            "dryRun=bogus", "dryRun=All&dryRun=x", "fieldValidation=bogus", "fieldValidation=", "fieldManager=" + new string('m', 200), "fieldManager=%00",
            "gracePeriodSeconds=abc", "gracePeriodSeconds=-5", "gracePeriodSeconds=99999999999999999999", "propagationPolicy=bogus", "orphanDependents=maybe",
            "pretty=maybe", "force=x", "fieldValidation=Strict",
        ];
        string[] deleteBodies =
        [
            "{", "[]", "null", "\"x\"", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"bogus\"}", "{\"gracePeriodSeconds\":-5}",
            "{\"gracePeriodSeconds\":\"x\"}", "{\"preconditions\":{\"uid\":\"not-the-uid\"}}", "{\"preconditions\":{\"resourceVersion\":\"1\"}}",
            "{\"preconditions\":\"x\"}", "{\"dryRun\":[\"x\"]}", "{\"dryRun\":\"All\"}", "{\"orphanDependents\":true,\"propagationPolicy\":\"Foreground\"}",
            "{\"kind\":\"Pod\"}", "{\"apiVersion\":\"v9\",\"kind\":\"DeleteOptions\"}",
        ];
        var query = Pick(random, queries);
        switch (random.Next(3))
        {
            case 0:
                // Deletes carry a body of DeleteOptions; only fuzz-target objects, and the preconditions mostly fail.
                var target = random.Next(2) == 0 ? Pick(random, Victims) : Pick(random, Collections[..5]);
                return new FuzzRequest(index, "bad-write-options", "DELETE", $"{target}?{query}&dryRun=All", "application/json", Encoding.UTF8.GetBytes(Pick(random, deleteBodies)));
            case 1:
                var (kind, collection) = PickKind(random);
                return new FuzzRequest(index, "bad-write-options", "POST", $"{collection}?{query}", "application/json", Encoding.UTF8.GetBytes(ValidJson(random, kind, Name(random)).Replace("\"labels\"", "\"unknownField\":1,\"labels\"", StringComparison.Ordinal)));
            default:
                return new FuzzRequest(index, "bad-write-options", "PATCH", $"{Pick(random, Victims)}?{query}", Pick(random, PatchTypes[1..]), "{\"metadata\":{\"labels\":{\"w\":\"x\"}},\"bogus\":1}"u8.ToArray());
        }
    }

    /// <summary>Under the 3 MiB request limit but over what an object may hold (1 MiB of data, 1.5 MiB in the store).</summary>
    private FuzzRequest LargeButAllowed(Random random, int index)
    {
        var size = Pick(random, new[] { 1024 * 1024 + 10, 1536 * 1024 + 10, 3 * 1024 * 1024 - 100 });
        var (kind, collection) = Pick(random, new[] { ("ConfigMap", CoreNs + "/configmaps"), ("Secret", CoreNs + "/secrets"), ("Deployment", AppsNs + "/deployments"), ("Pod", CoreNs + "/pods") });
        var json = ValidJson(random, kind, Name(random));
        var big = new string('x', size - json.Length - 20);
        var body = kind switch
        {
            "ConfigMap" => json.Replace("\"k\":\"v\"", $"\"k\":\"{big}\"", StringComparison.Ordinal),
            "Secret" => json.Replace("\"s\":\"t\"", $"\"s\":\"{big}\"", StringComparison.Ordinal),
            "Pod" => json.Replace("\"value\":\"1\"", $"\"value\":\"{big}\"", StringComparison.Ordinal),
            _ => json.Replace("\"image\":\"nginx\"", $"\"image\":\"nginx\",\"args\":[\"{big}\"]", StringComparison.Ordinal),
        };
        var put = random.Next(3) == 0 && kind != "Secret";
        return new FuzzRequest(index, "large-body", put ? "PUT" : "POST", put ? VictimFor(kind) : collection, "application/json", Encoding.UTF8.GetBytes(body));
    }

    private FuzzRequest Oversized(Random random, int index)
    {
        var size = Pick(random, new[] { 3 * 1024 * 1024 + 1, 4 * 1024 * 1024, 8 * 1024 * 1024 });
        var prefix = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\""u8;
        var body = new byte[size];
        prefix.CopyTo(body);
        body.AsSpan(prefix.Length, size - prefix.Length - 3).Fill((byte)'x');
        "\"}}"u8.CopyTo(body.AsSpan(size - 3));
        var method = Pick(random, new[] { "POST", "PUT", "PATCH" });
        var target = method == "POST" ? CoreNs + "/configmaps" : Victims[0];
        var contentType = method == "PATCH" ? "application/merge-patch+json" : Pick(random, new[] { "application/json", "application/yaml" });
        return new FuzzRequest(index, "oversized", method, target, contentType, body, Chunked: random.Next(2) == 0, ExpectStatus: 413);
    }
}

/// <summary>JSON templates with <c>@0@</c>, <c>@1@</c>… holes: raw-string interpolation fights JSON's braces.</summary>
internal static class JsonText
{
    public static string Fill(string template, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            template = template.Replace($"@{i}@", Convert.ToString(values[i], System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return template;
    }
}
