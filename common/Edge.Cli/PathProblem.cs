namespace Edge.Cli;

/// <summary>
/// Says in plain words why a path could not be used. .NET's messages for these cases are
/// misleading ("Could not find a part of the path" for a parent that is a file, "Access denied"
/// for a directory opened as a file), so look at the file system instead.
/// </summary>
public static class PathProblem
{
    public static string Describe(string path, Exception e)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full) && e is UnauthorizedAccessException or IOException)
        {
            return "is a directory";
        }

        for (var parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                return $"{parent} is a file, not a directory";
            }

            if (Directory.Exists(parent))
            {
                break;
            }
        }

        return e switch
        {
            FileNotFoundException => "no such file",
            DirectoryNotFoundException => "no such directory",
            UnauthorizedAccessException => "permission denied",
            _ => Trim(e.Message),
        };
    }

    private static string Trim(string message)
    {
        var line = message.Split('\n')[0].Trim();
        var quote = line.IndexOf(" : '", StringComparison.Ordinal);
        return (quote > 0 ? line[..quote] : line).TrimEnd('.');
    }
}
