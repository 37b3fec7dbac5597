using System.Globalization;

namespace Edge.ApiServer.Tables;

/// <summary>
/// Durations as apimachinery <c>duration.HumanDuration</c> and <c>ShortHumanDuration</c> print
/// them, so AGE and friends read exactly as against any other cluster.
/// </summary>
public static class HumanDuration
{
    /// <summary>Two significant units while they matter (<c>3m10s</c>, <c>2d3h</c>, <c>2y10d</c>).</summary>
    public static string Format(TimeSpan d)
    {
        // Up to a second in the future is tolerated as clock skew between machines.
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
            return "<invalid>";
        if (seconds < 0)
            return "0s";
        if (seconds < 60 * 2)
            return $"{seconds}s";
        var minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }
        if (minutes < 60 * 3)
            return $"{minutes}m";
        var hours = (long)d.TotalHours;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }
        if (hours < 48)
            return $"{hours}h";
        if (hours < 8 * 24)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }
        if (hours < 365 * 2 * 24)
            return $"{hours / 24}d";
        if (hours < 365 * 8 * 24)
        {
            var days = hours / 24 % 365;
            return days == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{days}d";
        }
        return $"{hours / 24 / 365}y";
    }

    /// <summary>One unit only (<c>5s</c>, <c>3m</c>, <c>2d</c>).</summary>
    public static string FormatShort(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
            return "<invalid>";
        if (seconds < 0)
            return "0s";
        if (seconds < 60)
            return $"{seconds}s";
        var minutes = (long)d.TotalMinutes;
        if (minutes < 60)
            return $"{minutes}m";
        var hours = (long)d.TotalHours;
        if (hours < 24)
            return $"{hours}h";
        if (hours < 24 * 365)
            return $"{hours / 24}d";
        return $"{(long)(d.TotalHours / 24 / 365)}y";
    }

    /// <summary>upstream <c>translateTimestampSince</c>: <c>&lt;unknown&gt;</c> for a missing timestamp.</summary>
    public static string Since(string? timestamp, DateTimeOffset now) =>
        TryParse(timestamp, out var time) ? Format(now - time) : "<unknown>";

    internal static bool TryParse(string? timestamp, out DateTimeOffset time)
    {
        time = default;
        return !string.IsNullOrEmpty(timestamp)
            && DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }
}
