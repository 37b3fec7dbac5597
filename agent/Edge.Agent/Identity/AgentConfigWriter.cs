using System.Text;
using Edge.Agent.Join;
using Edge.Native;

namespace Edge.Agent.Identity;

/// <summary>What <c>join</c> learnt, as the agent config file that <c>run</c> and <c>certificate renew</c> read back.</summary>
public sealed record AgentSettings(
    Uri Server, string NodeName, string DataDir, IReadOnlyList<string> Labels, IReadOnlyList<string> Taints, NodeConfig Cluster);

/// <summary>
/// Renders <see cref="AgentSettings"/> as the flat YAML that <c>Edge.Cli.ConfigFile</c> reads: one
/// key per option name, every value double-quoted so no value can change the YAML's shape.
/// </summary>
public static class AgentConfigWriter
{
    public static string Render(AgentSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine("# Written by `edge-agent join`; `edge-agent run` and `edge-agent certificate renew` read it.");
        Scalar(text, "server", settings.Server.ToString().TrimEnd('/'));
        Scalar(text, "node-name", settings.NodeName);
        Scalar(text, "data-dir", settings.DataDir);
        List(text, "node-label", settings.Labels);
        List(text, "node-taint", settings.Taints);
        Scalar(text, "cluster-cidr", settings.Cluster.ClusterCidr ?? "");
        Scalar(text, "service-cidr", settings.Cluster.ServiceCidr ?? "");
        Scalar(text, "cluster-dns", settings.Cluster.ClusterDns ?? "");
        Scalar(text, "pod-cidr", settings.Cluster.PodCidr ?? "");
        return text.ToString();
    }

    /// <summary>
    /// Refuses a config path that is not a place for a file (<c>/dev/null</c>, which tests and
    /// scripts use to mean "no config"): an atomic write would replace the device node itself.
    /// Checked before a join sends anything, so a refused path leaves nothing written.
    /// </summary>
    public static void CheckWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal) || Directory.Exists(full))
        {
            throw new AgentException($"cannot write the agent config to {full}: not a regular file; name one with --config FILE");
        }
    }

    public static void Write(string path, AgentSettings settings)
    {
        CheckWritable(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            AtomicFile.WriteText(path, Render(settings), AtomicFile.WorldReadable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentException($"cannot write the agent config {path}: {e.Message}", e);
        }
    }

    private static void Scalar(StringBuilder text, string key, string value) =>
        text.Append(key).Append(": ").AppendLine(Quote(value));

    private static void List(StringBuilder text, string key, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            text.Append(key).AppendLine(": []");
            return;
        }

        text.Append(key).AppendLine(":");
        foreach (var value in values)
        {
            text.Append("  - ").AppendLine(Quote(value));
        }
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
