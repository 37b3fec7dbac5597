using Edge.Agent.Health;

namespace Edge.Agent.Tests.Health;

public sealed class EvictionThresholdsTests
{
    [Fact]
    public void Defaults_AreKubeletsLinuxHardThresholdsPlusPids()
    {
        var t = new EvictionThresholds();

        Assert.Equal("104857600", t.MemoryAvailable.ToString());
        Assert.Equal("10%", t.NodeFsAvailable.ToString());
        Assert.Equal("5%", t.NodeFsInodesFree.ToString());
        Assert.Equal("15%", t.ImageFsAvailable.ToString());
        Assert.Equal("10%", t.PidAvailable.ToString());
    }

    [Fact]
    public void Parse_NamedSignals_OthersKeepTheirDefaults()
    {
        var errors = new List<string>();

        var t = EvictionThresholds.Parse("memory.available<200Mi, nodefs.available<2Gi,pid.available<5%", errors);

        Assert.Empty(errors);
        Assert.Equal(Threshold.Bytes(200 * 1024 * 1024), t.MemoryAvailable);
        Assert.Equal(Threshold.Bytes(2L * 1024 * 1024 * 1024), t.NodeFsAvailable);
        Assert.Equal(Threshold.Percent(5), t.PidAvailable);
        Assert.Equal(Threshold.Percent(15), t.ImageFsAvailable);
    }

    [Fact]
    public void Parse_Malformed_ReportsEveryError()
    {
        var errors = new List<string>();

        EvictionThresholds.Parse("memory.available>1Gi,swap.available<1%,nodefs.available<150%,imagefs.available<lots", errors);

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("'swap.available' is not one of", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(99, 1000, true)]
    [InlineData(100, 1000, false)]
    public void Threshold_Percent_IsCrossedStrictlyBelow(long available, long capacity, bool crossed) =>
        Assert.Equal(crossed, Threshold.Percent(10).IsCrossed(available, capacity));
}
