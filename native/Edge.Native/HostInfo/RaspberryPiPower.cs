namespace Edge.Native.HostInfo;

/// <summary>
/// The Raspberry Pi firmware's throttling flags (the mailbox's GET_THROTTLED word) as the kernel
/// exposes it in <c>soc:firmware/get_throttled</c> (hex, no 0x). Only the "now" bits: the
/// "has occurred" bits (16–19) are cleared every two seconds by the rpi_volt hwmon driver's poll,
/// so they mean nothing reliable to a reader.
/// </summary>
public readonly record struct PiThrottledFlags(uint Value)
{
    public bool UnderVoltage => (Value & 0x1) != 0;

    public bool FrequencyCapped => (Value & 0x2) != 0;

    public bool Throttled => (Value & 0x4) != 0;

    public bool SoftTemperatureLimit => (Value & 0x8) != 0;
}

/// <summary>Readers for what the Raspberry Pi firmware tells the kernel about power and heat; absent on other hardware.</summary>
public static class RaspberryPiPower
{
    /// <summary>Where the firmware node sits: under <c>soc</c> on the Pi 1–4, under <c>scb</c> on some Pi 4 device trees.</summary>
    private static readonly string[] ThrottledFiles =
    [
        "sys/devices/platform/soc/soc:firmware/get_throttled",
        "sys/devices/platform/scb/soc:firmware/get_throttled",
    ];

    /// <summary>
    /// The firmware's flags; null without the file or when the firmware does not answer. Newer Pi
    /// kernels mark the file deprecated with a one-time warning in the kernel log; it is still the
    /// only file that says the firmware throttles.
    /// </summary>
    public static PiThrottledFlags? Throttled(string root)
    {
        foreach (var relative in ThrottledFiles)
        {
            var text = ReadText(Path.Combine(root, relative));
            if (text is not null)
            {
                return uint.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, null, out var value) ? new PiThrottledFlags(value) : null;
            }
        }

        return null;
    }

    /// <summary>
    /// The rpi_volt hwmon device's <c>in0_lcrit_alarm</c> (1 while the supply is below 4.63 V, as
    /// the firmware sees it since the driver's last two-second poll); null without that device.
    /// </summary>
    public static bool? UnderVoltageAlarm(string root)
    {
        var dir = Path.Combine(root, "sys/class/hwmon");
        if (!Directory.Exists(dir))
        {
            return null;
        }

        foreach (var hwmon in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            if (ReadText(Path.Combine(hwmon, "name")) == "rpi_volt" && ReadText(Path.Combine(hwmon, "in0_lcrit_alarm")) is { } alarm)
            {
                return alarm == "1";
            }
        }

        return null;
    }

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
