using System.Text;
using Edge.Agent.Runtime.Images;
using Edge.Native;

namespace Edge.Agent.Images;

/// <summary><c>edge-agent images import|list</c>: the images dir the agent's mirror serves.</summary>
public static class ImagesCommand
{
    /// <summary>
    /// Checks that <paramref name="file"/> is a readable image archive, then copies it into the images dir
    /// atomically (a running agent never sees half a file) and returns the lines to print: one per image.
    /// </summary>
    public static string Import(string file, string dataDir)
    {
        var options = ImageMirrorOptions.ForDataDir(dataDir);
        if (!File.Exists(file))
        {
            throw new AgentException($"{file} does not exist");
        }

        var zstd = ZstdCache.IsZstd(file);
        var stem = Path.GetFileName(file);
        foreach (var extension in new[] { ".zst", ".tar" })
        {
            stem = stem.EndsWith(extension, StringComparison.Ordinal) && stem.Length > extension.Length ? stem[..^extension.Length] : stem;
        }

        var target = Path.Combine(options.ImagesDir, stem.TrimStart('.') + (zstd ? ".tar.zst" : ".tar"));
        Directory.CreateDirectory(options.ImagesDir);
        Directory.CreateDirectory(options.CacheDir);
        // A .tar.zst is checked on its decompressed copy, which then becomes the mirror's cache entry.
        var checkedTar = zstd ? Path.Combine(options.CacheDir, $".import.{Environment.ProcessId}.tar") : file;
        try
        {
            if (zstd)
            {
                ZstdCache.Decompress(file, checkedTar);
            }

            var archive = ImageArchive.Load(checkedTar);
            using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            {
                AtomicFile.Write(target, source.CopyTo, AtomicFile.WorldReadable);
            }

            if (zstd)
            {
                File.Move(checkedTar, ZstdCache.CachePath(target, options.CacheDir), overwrite: true);
            }

            var lines = new StringBuilder();
            foreach (var image in archive.Images)
            {
                lines.AppendLine($"imported {image.Reference} {image.Digest}");
            }

            return lines.Append($"into {target}").ToString();
        }
        catch (ImageException e)
        {
            // A .tar.zst's problems are found in its decompressed copy: name the file the user gave.
            throw new AgentException($"cannot import: {e.Message.Replace(checkedTar, file)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentException($"cannot import {file}: {e.Message}");
        }
        finally
        {
            if (zstd)
            {
                File.Delete(checkedTar);
            }
        }
    }

    /// <summary>A table of every image in the images dir; unreadable archives go to <paramref name="problems"/>.</summary>
    public static string List(string dataDir, List<string> problems)
    {
        var options = ImageMirrorOptions.ForDataDir(dataDir);
        var catalog = new ImageScanner(options.ImagesDir, options.CacheDir).Scan(problems);
        List<(string Reference, string Digest, string File)> rows =
        [
            ("REFERENCE", "DIGEST", "FILE"),
            .. catalog.Images.Select(i => (i.Image.Reference.ToString(), i.Image.Digest, Path.GetFileName(i.File))),
        ];
        var width = rows.Max(r => r.Reference.Length) + 2;
        var text = new StringBuilder();
        foreach (var (reference, digest, fileName) in rows)
        {
            text.Append(reference.PadRight(width)).Append(digest.PadRight(73)).AppendLine(fileName);
        }

        return text.ToString().TrimEnd('\n');
    }
}
