namespace Edge.Api.Objects;

/// <summary>
/// The ConfigMap through which every namespace carries the cluster CA: the root-CA publisher
/// writes it, and a pod's kube-api-access volume (as upstream's ServiceAccount admission adds it,
/// and as every pod spec copied from such a cluster carries it) projects its <c>ca.crt</c>.
/// </summary>
public static class RootCaConfigMap
{
    public const string Name = "kube-root-ca.crt";

    /// <summary>The key of the PEM bundle, and the file name in the pod.</summary>
    public const string Key = "ca.crt";
}
