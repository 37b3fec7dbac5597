using System.Text;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// Makes a container's image present as its pull policy says. <c>ImageStatus</c> comes first: CRI
/// <c>PullImage</c> always contacts the registry, which on an offline site is the local mirror —
/// but a present image must not depend even on that. Credentials come from the pod's
/// <c>imagePullSecrets</c> (<c>kubernetes.io/dockerconfigjson</c>).
/// </summary>
public sealed class ImagePuller(CriClient cri)
{
    /// <summary>
    /// The image's runtime reference (its id) to create the container from, and whether it was pulled
    /// now; <paramref name="pulling"/> is called just before a pull starts (kubelet's Pulling event).
    /// </summary>
    public async Task<(string ImageRef, bool Pulled)> EnsureAsync(PodView pod, ContainerView container, NodeDesiredState state, Action pulling, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(container.Image))
        {
            throw new ImagePullException("InvalidImageName", $"container {container.Name} has no image");
        }

        // Repository names are lower case; a tag or digest may not be. What containerd would refuse
        // with a parse error is refused here with upstream's reason, before any pull.
        var repository = container.Image.Split('@')[0];
        repository = repository.LastIndexOf(':') > repository.LastIndexOf('/') ? repository[..repository.LastIndexOf(':')] : repository;
        if (container.Image.Any(char.IsWhiteSpace) || repository.Split('/').Skip(RegistryHost(container.Image).Length > 0 ? 1 : 0).Any(p => p.Any(char.IsAsciiLetterUpper)))
        {
            throw new ImagePullException("InvalidImageName", $"Failed to apply default image tag \"{container.Image}\": couldn't parse image name \"{container.Image}\": invalid reference format");
        }

        if (container.ImagePullPolicy != "Always")
        {
            var present = await cri.ImageStatusAsync(container.Image, cancellationToken);
            if (present is not null)
            {
                return (present.Id, false);
            }

            if (container.ImagePullPolicy == "Never")
            {
                throw new ImagePullException("ErrImageNeverPull", $"Container image \"{container.Image}\" is not present with pull policy of Never");
            }
        }

        pulling();
        try
        {
            var reference = await cri.PullImageAsync(container.Image, Credentials(pod, container.Image, state), cancellationToken);
            var status = await cri.ImageStatusAsync(reference.Length > 0 ? reference : container.Image, cancellationToken);
            return (status?.Id ?? reference, true);
        }
        catch (CriException e)
        {
            throw new ImagePullException("ErrImagePull", $"failed to pull and unpack image \"{container.Image}\": {e.Detail}");
        }
    }

    /// <summary>The first pull secret with an entry for the image's registry host.</summary>
    internal static AuthConfig? Credentials(PodView pod, string image, NodeDesiredState state)
    {
        var host = RegistryHost(image);
        foreach (var secretRef in (pod.Object["spec"]?["imagePullSecrets"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (!state.Secrets.TryGetValue($"{pod.Namespace}/{PodView.Text(secretRef, "name")}", out var secret)
                || secret["data"]?[".dockerconfigjson"] is not JsonValue encoded
                || !encoded.TryGetValue<string>(out var base64))
            {
                continue;
            }

            JsonNode? config;
            try
            {
                config = JsonNode.Parse(Convert.FromBase64String(base64));
            }
            catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
            {
                continue;
            }

            foreach (var (server, entry) in config?["auths"] as JsonObject ?? [])
            {
                if (entry is not JsonObject auth || !MatchesHost(server, host))
                {
                    continue;
                }

                var result = new AuthConfig
                {
                    ServerAddress = server,
                    Username = PodView.Text(auth, "username") ?? "",
                    Password = PodView.Text(auth, "password") ?? "",
                    Auth = PodView.Text(auth, "auth") ?? "",
                };
                if (result.Username.Length == 0 && result.Auth.Length > 0)
                {
                    var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(result.Auth)).Split(':', 2);
                    result.Username = decoded[0];
                    result.Password = decoded.Length > 1 ? decoded[1] : "";
                }

                return result;
            }
        }

        return null;
    }

    /// <summary>The registry part of a reference; references without one belong to the default registry ("").</summary>
    internal static string RegistryHost(string image)
    {
        var first = image.Split('/')[0];
        return image.Contains('/', StringComparison.Ordinal) && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost") ? first : "";
    }

    private static bool MatchesHost(string server, string host)
    {
        var name = server.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal).Split('/')[0];
        // Credentials for the default registry are filed under its index host name.
        return host.Length == 0 ? name.StartsWith("index.", StringComparison.Ordinal) : name == host;
    }
}

/// <summary>The image could not be made present (the container waits with <see cref="Reason"/>).</summary>
public sealed class ImagePullException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
