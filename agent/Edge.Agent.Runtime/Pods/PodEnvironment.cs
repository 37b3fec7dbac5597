using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// A container's environment as kubelet builds it: <c>envFrom</c> first, then <c>env</c> in order
/// (later wins), values with <c>$(VAR)</c> references expanded against what is defined before them.
/// A missing ConfigMap, Secret or key that is not optional is a <see cref="ContainerConfigException"/>
/// with upstream's message (the container waits with <c>CreateContainerConfigError</c>).
/// </summary>
public static class PodEnvironment
{
    public static IReadOnlyList<KeyValuePair<string, string>> Build(PodView pod, ContainerView container, NodeDesiredState state, PodNetworkFacts facts)
    {
        // First definition fixes the order, the last one the value (as kubelet's list).
        var defined = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();

        void Set(string name, string value)
        {
            if (!defined.ContainsKey(name))
            {
                order.Add(name);
            }

            defined[name] = value;
        }

        foreach (var source in container.EnvFrom)
        {
            var prefix = PodView.Text(source, "prefix") ?? "";
            var (kind, reference) = source["configMapRef"] is JsonObject cm ? ("ConfigMap", cm) : source["secretRef"] is JsonObject s ? ("Secret", s) : ("", null);
            if (reference is null)
            {
                continue;
            }

            var data = Lookup(pod, state, kind, reference);
            if (data is null)
            {
                continue;
            }

            foreach (var (key, value) in data)
            {
                Set(prefix + key, value);
            }
        }

        foreach (var variable in container.Env)
        {
            var name = PodView.Text(variable, "name") ?? "";
            if (variable["valueFrom"] is JsonObject from)
            {
                if (ValueFrom(pod, container, state, facts, from) is { } value)
                {
                    Set(name, value);
                }
            }
            else
            {
                Set(name, Expand(PodView.Text(variable, "value") ?? "", defined));
            }
        }

        return order.Select(name => new KeyValuePair<string, string>(name, defined[name])).ToArray();
    }

    private static string? ValueFrom(PodView pod, ContainerView container, NodeDesiredState state, PodNetworkFacts facts, JsonObject from)
    {
        if (from["fieldRef"] is JsonObject field)
        {
            var path = PodView.Text(field, "fieldPath") ?? "";
            return FieldValue(pod, facts, path) ?? throw new ContainerConfigException($"unsupported fieldPath: {path}");
        }

        if (from["resourceFieldRef"] is JsonObject resource)
        {
            return ResourceValue(pod, container, facts, resource);
        }

        foreach (var (property, kind) in new[] { ("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret") })
        {
            if (from[property] is not JsonObject reference)
            {
                continue;
            }

            var key = PodView.Text(reference, "key") ?? "";
            var data = Lookup(pod, state, kind, reference);
            if (data is null)
            {
                return null;
            }

            if (data.TryGetValue(key, out var value))
            {
                return value;
            }

            if (Optional(reference))
            {
                return null;
            }

            throw new ContainerConfigException($"couldn't find key {key} in {kind} {pod.Namespace}/{PodView.Text(reference, "name")}");
        }

        return null;
    }

    /// <summary>The ConfigMap's or Secret's data as text; null when it is absent and optional.</summary>
    private static IReadOnlyDictionary<string, string>? Lookup(PodView pod, NodeDesiredState state, string kind, JsonObject reference)
    {
        var name = PodView.Text(reference, "name") ?? "";
        var objects = kind == "Secret" ? state.Secrets : state.ConfigMaps;
        if (!objects.TryGetValue($"{pod.Namespace}/{name}", out var found))
        {
            if (Optional(reference))
            {
                return null;
            }

            throw new ContainerConfigException(kind == "Secret" ? $"secret \"{name}\" not found" : $"configmap \"{name}\" not found");
        }

        return Volumes.Projection.Bytes(found, kind).ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(p.Value), StringComparer.Ordinal);
    }

    private static bool Optional(JsonObject reference) =>
        reference["optional"] is JsonValue v && v.TryGetValue<bool>(out var optional) && optional;

    internal static string? FieldValue(PodView pod, PodNetworkFacts facts, string path)
    {
        switch (path)
        {
            case "metadata.name": return pod.Name;
            case "metadata.namespace": return pod.Namespace;
            case "metadata.uid": return pod.Uid;
            case "spec.nodeName": return facts.NodeName;
            case "spec.serviceAccountName": return pod.ServiceAccountName ?? "";
            case "status.hostIP": return facts.HostIp;
            case "status.hostIPs": return facts.HostIp;
            case "status.podIP": return facts.PodIp;
            case "status.podIPs": return facts.PodIp;
        }

        foreach (var (prefix, map) in new[] { ("metadata.labels", pod.Labels), ("metadata.annotations", pod.Annotations) })
        {
            if (path == prefix)
            {
                return string.Join('\n', map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}=\"{p.Value}\""));
            }

            if (path.StartsWith(prefix + "['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal))
            {
                return map.TryGetValue(path[(prefix.Length + 2)..^2], out var value) ? value : "";
            }
        }

        return null;
    }

    /// <summary>limits.cpu / requests.memory etc. with a divisor; an unset limit is the node's allocatable, as upstream.</summary>
    internal static string ResourceValue(PodView pod, ContainerView self, PodNetworkFacts facts, JsonObject reference)
    {
        var containerName = PodView.Text(reference, "containerName");
        var container = containerName is null ? self : pod.Containers.Concat(pod.InitContainers).FirstOrDefault(c => c.Name == containerName) ?? self;
        var resource = PodView.Text(reference, "resource") ?? "";
        var divisor = PodView.Text(reference, "divisor") is { } d ? Quantity.Parse(d) : 1m;
        var (kind, name) = resource.Split('.', 2) is [var k, var n] ? (k, n) : ("", resource);
        var map = kind == "requests" ? container.Requests : container.Limits;
        decimal value;
        if (map.TryGetValue(name, out var quantity))
        {
            value = Quantity.Parse(quantity);
        }
        else if (kind == "limits")
        {
            value = name == "cpu" ? facts.AllocatableCpu : name == "memory" ? facts.AllocatableMemory : 0;
        }
        else
        {
            // An unset request defaults to the limit, as the API server's defaulting does.
            value = container.Limits.TryGetValue(name, out var limit) ? Quantity.Parse(limit) : 0;
        }

        if (divisor <= 0)
        {
            divisor = 1;
        }

        // Upstream rounds up to a whole number of divisors.
        return ((long)Math.Ceiling(value / divisor)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary><c>$(VAR)</c> becomes VAR's value when defined; <c>$$</c> is a literal <c>$</c>; anything else stays.</summary>
    public static string Expand(string input, IReadOnlyDictionary<string, string> defined)
    {
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 >= input.Length)
            {
                output.Append(input[i]);
                continue;
            }

            if (input[i + 1] == '$')
            {
                output.Append('$');
                i++;
                continue;
            }

            if (input[i + 1] == '(' && input.IndexOf(')', i + 2) is var close and > 0)
            {
                var name = input[(i + 2)..close];
                if (defined.TryGetValue(name, out var value))
                {
                    output.Append(value);
                    i = close;
                    continue;
                }
            }

            output.Append('$');
        }

        return output.ToString();
    }
}

/// <summary>Facts about the node and the pod's sandbox that the downward API and env vars expose.</summary>
public sealed record PodNetworkFacts(string NodeName, string HostIp, string PodIp, decimal AllocatableCpu, decimal AllocatableMemory);

/// <summary>The container cannot be configured from what the pod names (upstream's <c>CreateContainerConfigError</c>).</summary>
public sealed class ContainerConfigException(string message) : Exception(message);
