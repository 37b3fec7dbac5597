namespace Edge.Native.HostInfo;

/// <summary>A trip point of a thermal zone: the temperature at which the kernel acts, and how (<c>active</c>, <c>passive</c>, <c>hot</c>, <c>critical</c>).</summary>
public sealed record TripPoint(string Type, long MilliCelsius);

/// <summary>One <c>/sys/class/thermal/thermal_zone*</c>: its sensor type (<c>cpu-thermal</c>, <c>x86_pkg_temp</c>), temperature and trip points.</summary>
public sealed record ThermalZone(string Name, string Type, long MilliCelsius, IReadOnlyList<TripPoint> TripPoints)
{
    /// <summary>
    /// Where throttling starts: the lowest passive trip point (the kernel slows the CPU there),
    /// else the lowest hot or critical one; null when the zone has none of these. Active trip
    /// points only switch fans on. Trip points at or below 0 °C are firmware placeholders, not limits.
    /// </summary>
    public TripPoint? ThrottlePoint =>
        Lowest("passive") ?? TripPoints.Where(t => t.Type is "hot" or "critical" && t.MilliCelsius > 0).MinBy(t => t.MilliCelsius);

    private TripPoint? Lowest(string type) => TripPoints.Where(t => t.Type == type && t.MilliCelsius > 0).MinBy(t => t.MilliCelsius);

    /// <summary>
    /// Every zone whose temperature reads; a sensor that is off answers the read with an error
    /// (EIO, ENODATA) and is left out rather than reported cold.
    /// </summary>
    public static IReadOnlyList<ThermalZone> ReadAll(string root)
    {
        var dir = Path.Combine(root, "sys/class/thermal");
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var zones = new List<ThermalZone>();
        foreach (var zone in Directory.EnumerateFileSystemEntries(dir, "thermal_zone*").Order(StringComparer.Ordinal))
        {
            if (ReadLong(Path.Combine(zone, "temp")) is not { } temp)
            {
                continue;
            }

            var trips = new List<TripPoint>();
            for (var i = 0; ReadText(Path.Combine(zone, $"trip_point_{i}_type")) is { } type; i++)
            {
                if (ReadLong(Path.Combine(zone, $"trip_point_{i}_temp")) is { } tripTemp)
                {
                    trips.Add(new TripPoint(type, tripTemp));
                }
            }

            zones.Add(new ThermalZone(Path.GetFileName(zone), ReadText(Path.Combine(zone, "type")) ?? "", temp, trips));
        }

        return zones;
    }

    private static long? ReadLong(string path) => long.TryParse(ReadText(path), out var value) ? value : null;

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
