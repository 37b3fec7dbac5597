using System.Text;

namespace Edge.Agent.Runtime.Containerd;

/// <summary>
/// The containerd 1.6 configuration the agent generates: the CRI plugin with the sandbox image,
/// CNI directories, registry host configs and a private runc root. Values are TOML basic strings.
/// </summary>
/// <param name="SandboxImage">The pause image (served by the agent's image mirror).</param>
/// <param name="CniBinDir">Where the CNI plugins are installed (Debian: <c>/usr/lib/cni</c>).</param>
/// <param name="CniConfDir">The conflist directory the agent's network part writes.</param>
/// <param name="RestrictOomScoreAdj">
/// Needed where root lacks CAP_SYS_RESOURCE (containers, some CI machines): without it every
/// sandbox fails with "can't get final child's PID from pipe".
/// </param>
public sealed record ContainerdConfig(
    ContainerdPaths Paths,
    string SandboxImage,
    string CniBinDir,
    string CniConfDir,
    bool RestrictOomScoreAdj)
{
    public string Render()
    {
        var cri = "plugins.\"io.containerd.grpc.v1.cri\"";
        var text = new StringBuilder();
        text.AppendLine("# Written by edge-agent at every start; edits are overwritten.");
        text.AppendLine("version = 2");
        text.AppendLine($"root = {Quote(Paths.Root)}");
        text.AppendLine($"state = {Quote(Paths.State)}");
        // Plugins the agent never uses: opt would write below /opt, the others probe for file systems.
        text.AppendLine("disabled_plugins = [\"io.containerd.internal.v1.opt\", \"io.containerd.snapshotter.v1.aufs\", \"io.containerd.snapshotter.v1.btrfs\", \"io.containerd.snapshotter.v1.devmapper\", \"io.containerd.snapshotter.v1.zfs\", \"io.containerd.tracing.processor.v1.otlp\"]");
        text.AppendLine();
        text.AppendLine("[grpc]");
        text.AppendLine($"  address = {Quote(Paths.Socket)}");
        text.AppendLine();
        text.AppendLine($"[{cri}]");
        text.AppendLine($"  sandbox_image = {Quote(SandboxImage)}");
        text.AppendLine($"  restrict_oom_score_adj = {(RestrictOomScoreAdj ? "true" : "false")}");
        text.AppendLine("  netns_mounts_under_state_dir = true");
        // exec/attach/port-forward streaming: loopback only, and a free port (the default 10010
        // would collide between agents on one machine).
        text.AppendLine("  stream_server_address = \"127.0.0.1\"");
        text.AppendLine("  stream_server_port = \"0\"");
        text.AppendLine($"  [{cri}.containerd]");
        text.AppendLine("    snapshotter = \"overlayfs\"");
        text.AppendLine("    default_runtime_name = \"runc\"");
        text.AppendLine($"    [{cri}.containerd.runtimes.runc]");
        text.AppendLine("      runtime_type = \"io.containerd.runc.v2\"");
        text.AppendLine($"      [{cri}.containerd.runtimes.runc.options]");
        text.AppendLine("        SystemdCgroup = false");
        text.AppendLine($"        Root = {Quote(Paths.RuncRoot)}");
        text.AppendLine($"  [{cri}.cni]");
        text.AppendLine($"    bin_dir = {Quote(CniBinDir)}");
        text.AppendLine($"    conf_dir = {Quote(CniConfDir)}");
        text.AppendLine("    max_conf_num = 1");
        text.AppendLine($"  [{cri}.registry]");
        text.AppendLine($"    config_path = {Quote(Paths.RegistryConfigDir)}");
        return text.ToString();
    }

    internal static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
