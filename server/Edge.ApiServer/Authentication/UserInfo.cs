namespace Edge.ApiServer.Authentication;

/// <summary>
/// Who a request comes from, as upstream's <c>user.Info</c>: a name, a uid (service accounts and
/// tokens have one), groups, and extra attributes. Every authenticated user is in
/// <see cref="Authenticated"/>; a request without credentials is <see cref="Anonymous"/> in
/// <see cref="Unauthenticated"/>.
/// </summary>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    public const string SystemMasters = "system:masters";
    public const string Authenticated = "system:authenticated";
    public const string Unauthenticated = "system:unauthenticated";
    public const string Nodes = "system:nodes";
    public const string ServiceAccounts = "system:serviceaccounts";
    public const string NodeUserPrefix = "system:node:";
    public const string ServiceAccountUserPrefix = "system:serviceaccount:";
    public const string AnonymousName = "system:anonymous";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExtra = new Dictionary<string, IReadOnlyList<string>>();

    public static readonly UserInfo Anonymous = new(AnonymousName, "", [Unauthenticated], NoExtra);

    /// <summary>A user with <see cref="Authenticated"/> added to its groups (once).</summary>
    public static UserInfo Create(string name, IEnumerable<string> groups, string uid = "", IReadOnlyDictionary<string, IReadOnlyList<string>>? extra = null)
    {
        var all = groups.Where(g => g != Authenticated).Distinct().Append(Authenticated).ToList();
        return new UserInfo(name, uid, all, extra ?? NoExtra);
    }

    public bool IsInGroup(string group) => Groups.Contains(group);

    /// <summary>The node name when this is a node's identity (<c>system:node:&lt;name&gt;</c> in <c>system:nodes</c>), else null.</summary>
    public string? NodeName =>
        Name.StartsWith(NodeUserPrefix, StringComparison.Ordinal) && IsInGroup(Nodes) && Name.Length > NodeUserPrefix.Length
            ? Name[NodeUserPrefix.Length..]
            : null;

    /// <summary>(namespace, name) when this is a service account's identity, else null.</summary>
    public (string Namespace, string Name)? ServiceAccount
    {
        get
        {
            if (!Name.StartsWith(ServiceAccountUserPrefix, StringComparison.Ordinal))
            {
                return null;
            }

            var rest = Name[ServiceAccountUserPrefix.Length..];
            var colon = rest.IndexOf(':');
            return colon > 0 && colon < rest.Length - 1 ? (rest[..colon], rest[(colon + 1)..]) : null;
        }
    }
}
