using Edge.Scheduler.Model;

namespace Edge.Scheduler.Tests.Model;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("100m", 100)]
    [InlineData("1", 1000)]
    [InlineData("0.5", 500)]
    [InlineData("1.5", 1500)]
    [InlineData("2k", 2_000_000)]
    [InlineData("1e3", 1_000_000)]
    [InlineData("1E-3", 1)]
    [InlineData("1n", 1)]
    [InlineData("250u", 1)]
    [InlineData("0.0001", 1)]
    [InlineData("0", 0)]
    [InlineData("+3", 3000)]
    public void ParseMilli_CpuForms_RoundsUp(string text, long milli)
    {
        Assert.Equal(milli, Quantity.ParseMilli(text));
    }

    [Theory]
    [InlineData("1Ki", 1024)]
    [InlineData("1Mi", 1048576)]
    [InlineData("1Gi", 1073741824)]
    [InlineData("1.5Gi", 1610612736)]
    [InlineData("1G", 1_000_000_000)]
    [InlineData("128974848", 128974848)]
    [InlineData("129e6", 129_000_000)]
    [InlineData("123Mi", 128974848)]
    [InlineData("1Ti", 1099511627776)]
    [InlineData("1Ei", 1152921504606846976)]
    [InlineData("100m", 1)]
    [InlineData("110", 110)]
    public void ParseValue_MemoryForms_ReturnsBytes(string text, long value)
    {
        Assert.Equal(value, Quantity.ParseValue(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1x")]
    [InlineData("1KiB")]
    [InlineData("1e")]
    [InlineData(".")]
    [InlineData("1 Gi")]
    [InlineData("--1")]
    public void ParseValue_Invalid_ReturnsNull(string text)
    {
        Assert.Null(Quantity.ParseValue(text));
    }

    [Fact]
    public void ParseValue_Huge_Saturates()
    {
        Assert.Equal(long.MaxValue, Quantity.ParseValue("1e100"));
        Assert.Equal(long.MaxValue, Quantity.ParseValue("9999999Ei"));
    }
}
