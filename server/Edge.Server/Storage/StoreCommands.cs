using Edge.Store;
using Edge.Store.Embedded;

namespace Edge.Server.Storage;

/// <summary><c>edge-server snapshot save|restore</c>: backups of the embedded store.</summary>
public static class StoreCommands
{
    /// <summary>Saves a snapshot; reads the store's files without taking its lock, so a running server is fine.</summary>
    public static long Save(ServerPaths paths, string file)
    {
        if (!Directory.Exists(paths.StoreDir))
        {
            throw new StartupException($"{paths.DataDir} has no embedded store ({paths.StoreDir} does not exist)");
        }

        try
        {
            return EmbeddedStore.SaveSnapshotOf(paths.StoreDir, file);
        }
        catch (Exception e) when (e is StoreException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot save a snapshot of {paths.StoreDir} to {file}: {e.Message}", e);
        }
    }

    /// <summary>Restores into a data dir without a store; refuses one that has a store, or a running server.</summary>
    public static long Restore(ServerPaths paths, string file)
    {
        if (!File.Exists(file))
        {
            throw new StartupException($"snapshot {file} does not exist");
        }

        try
        {
            Directory.CreateDirectory(paths.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return EmbeddedStore.RestoreSnapshot(file, paths.StoreDir);
        }
        catch (Exception e) when (e is StoreException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot restore {file} into {paths.StoreDir}: {e.Message}", e);
        }
    }
}
