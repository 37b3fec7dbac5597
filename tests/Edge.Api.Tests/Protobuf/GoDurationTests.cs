using Edge.Api.Protobuf;

namespace Edge.Api.Tests.Protobuf;

public class GoDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1, "1ns")]
    [InlineData(1_500, "1.5µs")]
    [InlineData(1_500_000, "1.5ms")]
    [InlineData(1_000_000_000, "1s")]
    [InlineData(1_500_000_000, "1.5s")]
    [InlineData(90_000_000_000, "1m30s")]
    [InlineData(3_600_000_000_000, "1h0m0s")]
    [InlineData(3_723_000_000_001, "1h2m3.000000001s")]
    [InlineData(-2_000_000_000, "-2s")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    public void Format_MatchesGo(long nanoseconds, string expected) => Assert.Equal(expected, GoDuration.Format(nanoseconds));
}
