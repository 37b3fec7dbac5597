namespace Edge.Cli.Tests;

public class DurationTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("12h", 43200)]
    [InlineData("1h30m", 5400)]
    [InlineData("1500ms", 1.5)]
    public void TryParse_GoStyle_Parsed(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("h")]
    [InlineData("5d")]
    [InlineData("-5m")]
    [InlineData("1h 30m")]
    public void TryParse_Garbage_Refused(string text)
    {
        Assert.False(Duration.TryParse(text, out _));
        Assert.NotNull(Duration.Validate(text));
    }
}
