using Edge.ApiServer.Tables;

namespace Edge.ApiServer.Tests.Tables;

public sealed class HumanDurationTests
{
    [Theory]
    [InlineData(-5, "<invalid>")]
    [InlineData(-1, "0s")]
    [InlineData(0, "0s")]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(190, "3m10s")]
    [InlineData(600, "10m")]
    [InlineData(179 * 60, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 25 * 60, "3h25m")]
    [InlineData(8 * 3600 + 59 * 60, "8h")]
    [InlineData(47 * 3600, "47h")]
    [InlineData(51 * 3600, "2d3h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData(8 * 86400, "8d")]
    [InlineData(729 * 86400, "729d")]
    [InlineData(740 * 86400, "2y10d")]
    [InlineData(730 * 86400, "2y")]
    [InlineData(3000 * 86400L, "8y")]
    public void Format_MatchesUpstream(long seconds, string expected)
    {
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData(59, "59s")]
    [InlineData(61, "1m")]
    [InlineData(3600 * 5 + 1, "5h")]
    [InlineData(86400 * 3, "3d")]
    [InlineData(86400 * 400, "1y")]
    public void FormatShort_MatchesUpstream(long seconds, string expected)
    {
        Assert.Equal(expected, HumanDuration.FormatShort(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Since_Missing_IsUnknown()
    {
        Assert.Equal("<unknown>", HumanDuration.Since(null, DateTimeOffset.UnixEpoch));
    }
}
