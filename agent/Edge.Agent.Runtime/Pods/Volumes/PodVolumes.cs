using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Desired;
using Edge.Native;

namespace Edge.Agent.Runtime.Pods.Volumes;

/// <summary>
/// The pod's volumes on the node, under <c>&lt;pods dir&gt;/&lt;uid&gt;/volumes/&lt;name&gt;</c>:
/// emptyDir (a tmpfs for <c>medium: Memory</c>), hostPath (checked by its type), and the file
/// volumes — configMap, secret, downwardAPI, projected (with service account tokens) — written on
/// every sync, so an updated ConfigMap or Secret or a refreshed token reaches running containers
/// (each file replaced atomically).
/// </summary>
public sealed class PodVolumes(string podsDir)
{
    public string PodDir(string uid) => Path.Combine(podsDir, uid);

    /// <summary>Every volume's host path by volume name; a problem is a <see cref="VolumeException"/> (upstream's FailedMount).</summary>
    /// <param name="tokens">The projected service account tokens, by <see cref="ServiceAccountTokens.Key"/>.</param>
    public IReadOnlyDictionary<string, string> Prepare(PodView pod, NodeDesiredState state, PodNetworkFacts facts, IReadOnlyDictionary<string, byte[]>? tokens = null)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in pod.Volumes)
        {
            var name = PodView.Text(volume, "name") ?? throw new VolumeException("a volume has no name");
            var dir = Path.Combine(PodDir(pod.Uid), "volumes", name);
            if (volume["hostPath"] is JsonObject hostPath)
            {
                paths[name] = HostPath(name, hostPath);
            }
            else if (volume["emptyDir"] is JsonObject emptyDir)
            {
                EmptyDir(dir, emptyDir);
                paths[name] = dir;
            }
            else if (volume["configMap"] is JsonObject configMap)
            {
                WriteFiles(dir, Projection.FromObject(pod, state, "ConfigMap", configMap), Mode(configMap, 0x1A4));
                paths[name] = dir;
            }
            else if (volume["secret"] is JsonObject secret)
            {
                var reference = new JsonObject { ["name"] = PodView.Text(secret, "secretName"), ["items"] = secret["items"]?.DeepClone(), ["optional"] = secret["optional"]?.DeepClone() };
                WriteFiles(dir, Projection.FromObject(pod, state, "Secret", reference), Mode(secret, 0x1A4));
                paths[name] = dir;
            }
            else if (volume["downwardAPI"] is JsonObject downward)
            {
                WriteFiles(dir, Projection.FromDownwardApi(pod, facts, downward), Mode(downward, 0x1A4));
                paths[name] = dir;
            }
            else if (volume["projected"] is JsonObject projected)
            {
                WriteFiles(dir, Projection.FromProjected(pod, state, facts, projected, name, tokens ?? new Dictionary<string, byte[]>()), Mode(projected, 0x1A4));
                paths[name] = dir;
            }
            else
            {
                var kind = volume.Select(p => p.Key).FirstOrDefault(k => k != "name") ?? "unknown";
                throw new VolumeException($"volume \"{name}\": {kind} volumes are not supported by edge-agent");
            }
        }

        return paths;
    }

    /// <summary>Unmounts what the agent mounted and removes the pod's directory.</summary>
    public void Remove(string uid)
    {
        var volumes = Path.Combine(PodDir(uid), "volumes");
        if (Directory.Exists(volumes))
        {
            foreach (var dir in Directory.EnumerateDirectories(volumes))
            {
                if (Mounts.IsMountPoint(dir))
                {
                    Mounts.Unmount(dir);
                }
            }
        }

        if (Directory.Exists(PodDir(uid)))
        {
            Directory.Delete(PodDir(uid), recursive: true);
        }
    }

    /// <summary>The uids of pods that have a directory here (for clean-up of pods the node no longer runs).</summary>
    public IEnumerable<string> KnownPods() =>
        Directory.Exists(podsDir) ? Directory.EnumerateDirectories(podsDir).Select(Path.GetFileName).OfType<string>() : [];

    private static string HostPath(string name, JsonObject hostPath)
    {
        var path = PodView.Text(hostPath, "path") ?? "";
        var type = PodView.Text(hostPath, "type") ?? "";
        switch (type)
        {
            case "DirectoryOrCreate":
                if (!Directory.Exists(path))
                {
                    Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                }

                break;
            case "Directory":
                Require(Directory.Exists(path), $"hostPath type check failed: {path} is not a directory");
                break;
            case "FileOrCreate":
                if (!File.Exists(path))
                {
                    File.WriteAllBytes(path, []);
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }

                break;
            case "File":
                Require(File.Exists(path), $"hostPath type check failed: {path} is not a file");
                break;
            case "Socket" or "CharDevice" or "BlockDevice":
                Require(File.Exists(path), $"hostPath type check failed: {path} is not a {type}");
                break;
            case "":
                break;
            default:
                throw new VolumeException($"volume \"{name}\": unknown hostPath type {type}");
        }

        if (type == "" && !Path.Exists(path))
        {
            // Upstream creates an unchecked hostPath as an empty directory (runc would otherwise).
            Directory.CreateDirectory(path);
        }

        try
        {
            // An unreadable path fails here rather than deep inside runc with a less helpful message.
            if (Directory.Exists(path))
            {
                using var _ = Directory.EnumerateFileSystemEntries(path).GetEnumerator();
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VolumeException($"volume \"{name}\": hostPath {path} is not readable: {e.Message}");
        }

        return path;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new VolumeException(message);
        }
    }

    private static void EmptyDir(string dir, JsonObject emptyDir)
    {
        var fresh = !Directory.Exists(dir);
        Directory.CreateDirectory(dir, (UnixFileMode)0x1FF);
        if (PodView.Text(emptyDir, "medium") == "Memory" && (fresh || !Mounts.IsMountPoint(dir)))
        {
            var size = PodView.Text(emptyDir, "sizeLimit") is { } limit ? Quantity.Bytes(limit) : 0;
            Mounts.MountTmpfs(dir, size);
        }

        // The directory must be writable by any user the container runs as.
        File.SetUnixFileMode(dir, (UnixFileMode)0x1FF);
    }

    private static int Mode(JsonObject source, int fallback) =>
        source["defaultMode"] is JsonValue v && v.TryGetValue<int>(out var mode) ? mode : fallback;

    /// <summary>Writes the files that changed (each atomically) and removes the ones no longer projected.</summary>
    private static void WriteFiles(string dir, IReadOnlyList<ProjectedFile> files, int defaultMode)
    {
        Directory.CreateDirectory(dir);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var relative = file.Path.TrimStart('/');
            if (relative.Length == 0 || relative.Split('/').Any(p => p is ".." or "." or ""))
            {
                throw new VolumeException($"invalid projected path {file.Path}");
            }

            var path = Path.Combine(dir, relative);
            wanted.Add(path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var mode = (UnixFileMode)(file.Mode ?? defaultMode);
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(file.Content) && File.GetUnixFileMode(path) == mode)
            {
                continue;
            }

            AtomicFile.Write(path, file.Content, mode);
        }

        foreach (var existing in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            if (!wanted.Contains(existing))
            {
                File.Delete(existing);
            }
        }
    }
}

/// <summary>A file a configMap/secret/downwardAPI/projected volume holds.</summary>
public sealed record ProjectedFile(string Path, byte[] Content, int? Mode);

/// <summary>A volume cannot be set up (upstream's FailedMount event; the pod waits in ContainerCreating).</summary>
public sealed class VolumeException(string message) : Exception(message);

internal static class Projection
{
    /// <summary>The files of a ConfigMap or Secret (all keys, or the listed items). <paramref name="reference"/> has name, items, optional.</summary>
    public static IReadOnlyList<ProjectedFile> FromObject(PodView pod, NodeDesiredState state, string kind, JsonObject reference)
    {
        var name = PodView.Text(reference, "name") ?? "";
        var optional = reference["optional"] is JsonValue o && o.TryGetValue<bool>(out var opt) && opt;
        var objects = kind == "Secret" ? state.Secrets : state.ConfigMaps;
        if (!objects.TryGetValue($"{pod.Namespace}/{name}", out var item))
        {
            return optional ? [] : throw new VolumeException(kind == "Secret" ? $"secret \"{name}\" not found" : $"configmap \"{name}\" not found");
        }

        var data = Bytes(item, kind);
        if (reference["items"] is not JsonArray items)
        {
            return data.Select(p => new ProjectedFile(p.Key, p.Value, null)).ToArray();
        }

        var files = new List<ProjectedFile>();
        foreach (var entry in items.OfType<JsonObject>())
        {
            var key = PodView.Text(entry, "key") ?? "";
            if (!data.TryGetValue(key, out var content))
            {
                if (optional)
                {
                    continue;
                }

                throw new VolumeException($"configmap references non-existent config key: {key}");
            }

            files.Add(new ProjectedFile(PodView.Text(entry, "path") ?? key, content, entry["mode"] is JsonValue m && m.TryGetValue<int>(out var mode) ? mode : null));
        }

        return files;
    }

    public static IReadOnlyList<ProjectedFile> FromDownwardApi(PodView pod, PodNetworkFacts facts, JsonObject downward)
    {
        var files = new List<ProjectedFile>();
        foreach (var entry in (downward["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var path = PodView.Text(entry, "path") ?? "";
            string value;
            if (entry["fieldRef"] is JsonObject field)
            {
                var fieldPath = PodView.Text(field, "fieldPath") ?? "";
                value = PodEnvironment.FieldValue(pod, facts, fieldPath) ?? throw new VolumeException($"unsupported fieldPath: {fieldPath}");
            }
            else if (entry["resourceFieldRef"] is JsonObject resource)
            {
                var self = pod.Containers.FirstOrDefault(c => c.Name == PodView.Text(resource, "containerName")) ?? pod.Containers[0];
                value = PodEnvironment.ResourceValue(pod, self, facts, resource);
            }
            else
            {
                continue;
            }

            files.Add(new ProjectedFile(path, Encoding.UTF8.GetBytes(value), entry["mode"] is JsonValue m && m.TryGetValue<int>(out var mode) ? mode : null));
        }

        return files;
    }

    public static IReadOnlyList<ProjectedFile> FromProjected(
        PodView pod, NodeDesiredState state, PodNetworkFacts facts, JsonObject projected, string volumeName, IReadOnlyDictionary<string, byte[]> tokens)
    {
        var files = new List<ProjectedFile>();
        foreach (var source in (projected["sources"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (source["configMap"] is JsonObject configMap)
            {
                files.AddRange(FromObject(pod, state, "ConfigMap", configMap));
            }
            else if (source["secret"] is JsonObject secret)
            {
                files.AddRange(FromObject(pod, state, "Secret", secret));
            }
            else if (source["downwardAPI"] is JsonObject downward)
            {
                files.AddRange(FromDownwardApi(pod, facts, downward));
            }
            else if (source["serviceAccountToken"] is JsonObject token)
            {
                // Fetched beforehand (ServiceAccountTokens): asking the API server is async, this is not.
                var path = PodView.Text(token, "path") ?? "";
                files.Add(new ProjectedFile(path, tokens.TryGetValue(ServiceAccountTokens.Key(volumeName, path), out var bytes)
                    ? bytes : throw new VolumeException($"volume \"{volumeName}\": no service account token was fetched for {path}"), null));
            }
            else
            {
                var kind = source.Select(p => p.Key).FirstOrDefault() ?? "unknown";
                throw new VolumeException($"projected source {kind} is not supported by edge-agent yet");
            }
        }

        return files;
    }

    /// <summary>A ConfigMap's or Secret's data as bytes: Secret data is base64 on the wire, ConfigMap data text, binaryData base64.</summary>
    public static Dictionary<string, byte[]> Bytes(JsonObject item, string kind)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in item["data"] as JsonObject ?? [])
        {
            var text = value?.GetValue<string>() ?? "";
            data[key] = kind == "Secret" ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
        }

        foreach (var (key, value) in item["binaryData"] as JsonObject ?? [])
        {
            data[key] = Convert.FromBase64String(value?.GetValue<string>() ?? "");
        }

        return data;
    }
}
