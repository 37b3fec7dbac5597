using Edge.Controllers.CronJobs;

namespace Edge.Controllers.Tests.CronJobs;

public sealed class CronScheduleTests
{
    [Theory]
    [InlineData("*/15 * * * *", "2026-03-04T10:07:00Z", "2026-03-04T10:15:00Z")]
    [InlineData("*/15 * * * *", "2026-03-04T10:45:00Z", "2026-03-04T11:00:00Z")]
    [InlineData("0 9 * * MON-FRI", "2026-03-06T10:00:00Z", "2026-03-09T09:00:00Z")] // Friday after nine → Monday
    [InlineData("30 2 1 jan,JUL *", "2026-03-04T00:00:00Z", "2026-07-01T02:30:00Z")]
    [InlineData("@hourly", "2026-03-04T10:00:00Z", "2026-03-04T11:00:00Z")]
    [InlineData("@yearly", "2026-03-04T10:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 13 * FRI", "2026-03-01T00:00:00Z", "2026-03-06T00:00:00Z")] // both day fields: either matches
    [InlineData("0 0 13 * FRI", "2026-03-12T00:00:00Z", "2026-03-13T00:00:00Z")]
    [InlineData("0 12 * * 7", "2026-03-04T00:00:00Z", "2026-03-08T12:00:00Z")] // 7 is Sunday
    [InlineData("5/20 1-3 * * *", "2026-03-04T01:46:00Z", "2026-03-04T02:05:00Z")]
    [InlineData("0 0 * * *", "2026-12-31T23:59:30Z", "2027-01-01T00:00:00Z")]
    public void Next_InUtc_IsTheFirstMatchingMinuteAfter(string schedule, string after, string expected)
    {
        var next = CronSchedule.Parse(schedule).Next(DateTimeOffset.Parse(after), TimeZoneInfo.Utc);

        Assert.Equal(DateTimeOffset.Parse(expected), next);
    }

    [Fact]
    public void Next_WithTimeZone_ReadsTheScheduleOnThatWallClock()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var schedule = CronSchedule.Parse("0 9 * * *");

        Assert.Equal(DateTimeOffset.Parse("2026-01-15T14:00:00Z"), schedule.Next(DateTimeOffset.Parse("2026-01-15T12:00:00Z"), zone));
        Assert.Equal(DateTimeOffset.Parse("2026-07-15T13:00:00Z"), schedule.Next(DateTimeOffset.Parse("2026-07-15T12:00:00Z"), zone));
    }

    [Fact]
    public void Next_NeverMatchingDate_IsNull() =>
        Assert.Null(CronSchedule.Parse("0 0 30 2 *").Next(DateTimeOffset.Parse("2026-01-01T00:00:00Z"), TimeZoneInfo.Utc));

    [Theory]
    [InlineData("* * * *")]
    [InlineData("60 * * * *")]
    [InlineData("* 24 * * *")]
    [InlineData("* * 0 * *")]
    [InlineData("* * * 13 *")]
    [InlineData("*/0 * * * *")]
    [InlineData("5-1 * * * *")]
    [InlineData("* * * FOO *")]
    public void Parse_Invalid_Throws(string schedule) => Assert.Throws<FormatException>(() => CronSchedule.Parse(schedule));
}
