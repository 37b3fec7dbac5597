using System.Globalization;
using System.Text;

namespace Edge.Server.Encryption;

/// <summary>How many Secrets one key name seals; <see cref="InConfig"/> is false for a name the config has lost.</summary>
public sealed record KeyUsage(string Name, int Secrets, bool Active, bool InConfig);

/// <summary>What <c>edge-server secrets-encrypt status</c> shows (the endpoint's JSON).</summary>
public sealed record SecretsEncryptionStatus(
    bool Enabled, string? ActiveKey, IReadOnlyList<KeyUsage> Keys, int Encrypted, int Plaintext, IReadOnlyList<string> Problems)
{
    public string Render()
    {
        var text = new StringBuilder();
        text.Append("Encryption: ").AppendLine(Enabled ? "enabled (AES-GCM)" : "disabled");
        if (!Enabled && Keys.Count > 0)
        {
            text.AppendLine("New Secrets are stored in plaintext; Secrets already encrypted stay readable with the keys in the config.");
        }

        text.Append("Active key: ").AppendLine(ActiveKey ?? "none");
        text.AppendLine(CultureInfo.InvariantCulture, $"Secrets: {Encrypted} encrypted, {Plaintext} plaintext");
        if (Keys.Count > 0)
        {
            text.AppendLine("Keys:");
            foreach (var key in Keys)
            {
                var notes = (key.Active ? " (active)" : "") + (key.InConfig ? "" : " (NOT IN CONFIG: unreadable)");
                text.AppendLine(CultureInfo.InvariantCulture, $"  {key.Name}{notes}: {key.Secrets} secrets");
            }
        }

        foreach (var problem in Problems)
        {
            text.Append("Problem: ").AppendLine(problem);
        }

        return text.ToString();
    }
}
