using System.Runtime.InteropServices;
using Edge.Agent.Join;
using Edge.Agent.Runtime.Images;

namespace Edge.Agent.Images;

/// <summary>The pause program this binary carries (a resource when published for a RID; see Edge.Agent.csproj).</summary>
public static class EmbeddedPause
{
    private const string ResourceName = "edge-pause";

    /// <summary>The program's bytes, or null in a build without a RuntimeIdentifier.</summary>
    public static byte[]? Program()
    {
        using var stream = typeof(EmbeddedPause).Assembly.GetManifestResourceStream(ResourceName);
        if (stream is null)
        {
            return null;
        }

        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Writes <see cref="PauseImage.Reference"/> for this machine's architecture into the images dir unless it is
    /// there already. Returns one line for the log: what happened (Ok), or why there is no pause image.
    /// </summary>
    public static (bool Ok, string Line) EnsureImage(string imagesDir)
    {
        if (Program() is not { } program)
        {
            return (false, $"this build carries no pause image (built without a RuntimeIdentifier): import {PauseImage.Reference} into {imagesDir} by hand, or pods cannot start");
        }

        var architecture = JoinCommand.KubernetesArchitecture(RuntimeInformation.OSArchitecture);
        try
        {
            return (true, PauseImage.Ensure(imagesDir, program, architecture)
                ? $"wrote {PauseImage.Reference} ({architecture}) to {Path.Combine(imagesDir, PauseImage.FileName)}"
                : $"{PauseImage.Reference} ({architecture}) is up to date in {imagesDir}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The agent still reports its node; only pods need the image.
            return (false, $"cannot write {PauseImage.Reference} into {imagesDir}: {e.Message}");
        }
    }
}
