using Microsoft.Extensions.Logging;

namespace Edge.ApiServer.Watch;

internal static partial class WatchCacheLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Watch cache at revision {Revision} lost history to compaction at {CompactRevision}; watchers will re-list")]
    public static partial void Compacted(ILogger logger, long revision, long compactRevision);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Store watch failed, retrying: {Message}")]
    public static partial void StoreWatchFailed(ILogger logger, string message);
}
