using System.Globalization;

namespace Edge.Controllers.CronJobs;

/// <summary>
/// A standard five-field cron schedule (minute hour day-of-month month day-of-week), as upstream
/// parses it (robfig/cron): <c>*</c>, <c>?</c>, lists, ranges, steps (<c>*/15</c>, <c>1-30/5</c>),
/// month and weekday names, 7 for Sunday, and the <c>@hourly</c>… shorthands. When both day
/// fields are restricted a day matching either is enough; otherwise both must match.
/// </summary>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _days;
    private readonly ulong _months;
    private readonly ulong _weekdays;
    private readonly bool _anyDay;
    private readonly bool _anyWeekday;

    private CronSchedule(ulong minutes, ulong hours, ulong days, ulong months, ulong weekdays, bool anyDay, bool anyWeekday)
    {
        (_minutes, _hours, _days, _months, _weekdays, _anyDay, _anyWeekday) = (minutes, hours, days, months, weekdays, anyDay, anyWeekday);
    }

    /// <exception cref="FormatException">The schedule is not valid.</exception>
    public static CronSchedule Parse(string text)
    {
        var expanded = text.Trim() switch
        {
            "@yearly" or "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" or "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            var other => other,
        };
        var fields = expanded.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            throw new FormatException($"expected exactly 5 fields, found {fields.Length}: {text}");
        }

        var weekdays = Field(fields[4], 0, 7, DayNames);
        if ((weekdays & (1UL << 7)) != 0)
        {
            weekdays = (weekdays | 1) & ~(1UL << 7);
        }

        return new CronSchedule(Field(fields[0], 0, 59, null), Field(fields[1], 0, 23, null), Field(fields[2], 1, 31, null),
            Field(fields[3], 1, 12, MonthNames), weekdays, IsAny(fields[2]), IsAny(fields[4]));
    }

    // As robfig/cron: a step other than 1 makes "*/2" a restriction, not "any".
    private static bool IsAny(string field) => field is "*" or "?" or "*/1" or "?/1";

    private static ulong Field(string field, int min, int max, string[]? names)
    {
        ulong bits = 0;
        foreach (var part in field.Split(','))
        {
            var (range, step) = part.Split('/') switch
            {
                [var r] => (r, 1),
                [var r, var s] when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => (r, n),
                _ => throw new FormatException($"bad step in {part}"),
            };
            int low, high;
            if (range is "*" or "?")
            {
                (low, high) = (min, max);
            }
            else if (range.Split('-') is [var a, var b])
            {
                (low, high) = (Value(a, names), Value(b, names));
            }
            else
            {
                low = Value(range, names);
                // "5/15" means from 5 to the end, every 15.
                high = step > 1 ? max : low;
            }

            if (low < min || high > max || low > high)
            {
                throw new FormatException($"{part} is out of range {min}-{max}");
            }

            for (var v = low; v <= high; v += step)
            {
                bits |= 1UL << v;
            }
        }

        return bits;
    }

    private static int Value(string text, string[]? names)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        return index >= 0 ? index + (names == MonthNames ? 1 : 0) : throw new FormatException($"{text} is not a value");
    }

    /// <summary>The first scheduled time strictly after <paramref name="after"/>, read on the wall clock of <paramref name="zone"/>; null if none within five years.</summary>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var t = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if ((_months & (1UL << t.Month)) == 0)
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
            }
            else if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
            }
            else if ((_hours & (1UL << t.Hour)) == 0)
            {
                t = t.Date.AddHours(t.Hour + 1);
            }
            else if ((_minutes & (1UL << t.Minute)) == 0)
            {
                t = t.AddMinutes(1);
            }
            else if (zone.IsInvalidTime(t))
            {
                // Skipped by a daylight-saving jump: this wall-clock time never happens.
                t = t.AddMinutes(1);
            }
            else
            {
                return new DateTimeOffset(t, zone.GetUtcOffset(t));
            }
        }

        return null;
    }

    private bool DayMatches(DateTime t)
    {
        var day = (_days & (1UL << t.Day)) != 0;
        var weekday = (_weekdays & (1UL << (int)t.DayOfWeek)) != 0;
        return _anyDay || _anyWeekday ? day && weekday : day || weekday;
    }
}
