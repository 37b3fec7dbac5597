namespace Edge.Agent.Runtime.Images;

/// <summary>The media types the mirror reads and serves (OCI image spec and Docker's schema 2).</summary>
public static class OciMediaTypes
{
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string Layer = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Annotation on an <c>index.json</c> entry: the full reference containerd imports it as.</summary>
    public const string ContainerdImageName = "io.containerd.image.name";

    /// <summary>Annotation on an <c>index.json</c> entry: the tag (or, from some tools, a whole reference).</summary>
    public const string RefName = "org.opencontainers.image.ref.name";

    public static bool IsIndex(string mediaType) => mediaType is ImageIndex or DockerManifestList;

    public static bool IsManifest(string mediaType) => mediaType is ImageIndex or ImageManifest or DockerManifestList or DockerManifest;
}
