using Edge.Agent.Health;

namespace Edge.Agent.Tests.Health;

/// <summary>Each condition setter alone, on the recorded trees.</summary>
public sealed class ConditionSetterTests
{
    private static readonly HealthOptions Defaults = new();
    private static readonly DateTimeOffset Sent = new(2026, 11, 23, 9, 30, 15, 100, TimeSpan.Zero);

    [Fact]
    public void MemoryPressure_Ordinary_FalseWithKubeletReason()
    {
        var state = ConditionSetters.MemoryPressure(Fixtures.Signals(Fixtures.Ordinary), Defaults);

        Assert.Equal(("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"), (state.Type, state.Status, state.Reason, state.Message));
    }

    [Fact]
    public void MemoryPressure_60MiAvailable_TrueBelowKubeletsHundredMi()
    {
        var state = ConditionSetters.MemoryPressure(Fixtures.Signals(Fixtures.FullDisk), Defaults);

        Assert.Equal(("True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"), (state.Status, state.Reason, state.Message));
        Assert.Contains("memory.available=60Mi", state.Observed);
    }

    [Fact]
    public void MemoryPressure_ThresholdLowered_False()
    {
        var options = new HealthOptions { Eviction = new EvictionThresholds { MemoryAvailable = Threshold.Bytes(50 * 1024 * 1024) } };

        Assert.Equal("False", ConditionSetters.MemoryPressure(Fixtures.Signals(Fixtures.FullDisk), options).Status);
    }

    [Fact]
    public void MemoryPressure_NotMeasured_False() =>
        Assert.Equal("False", ConditionSetters.MemoryPressure(NodeSignals.None, Defaults).Status);

    [Fact]
    public void DiskPressure_RoomyDisk_False() =>
        Assert.Equal(("False", "KubeletHasNoDiskPressure"), Pair(ConditionSetters.DiskPressure(Fixtures.Signals(Fixtures.Ordinary), Defaults)));

    [Fact]
    public void DiskPressure_NearlyFullDisk_TrueNamingTheSpaceSignals()
    {
        var state = ConditionSetters.DiskPressure(Fixtures.Signals(Fixtures.FullDisk, Fixtures.NearlyFullDisk), Defaults);

        Assert.Equal(("True", "KubeletHasDiskPressure", "kubelet has disk pressure"), (state.Status, state.Reason, state.Message));
        Assert.StartsWith("nodefs.available, imagefs.available crossed", state.Observed);
    }

    [Fact]
    public void DiskPressure_ImageFsAtTwelvePercent_TrueThoughNodeFsIsFine()
    {
        var signals = Fixtures.Signals(Fixtures.Ordinary) with { ImageFs = Fixtures.RoomyDisk with { AvailableBytes = 3_738_557_644 } };

        var state = ConditionSetters.DiskPressure(signals, Defaults);

        Assert.Equal("True", state.Status);
        Assert.StartsWith("imagefs.available crossed", state.Observed);
    }

    [Fact]
    public void DiskPressure_InodesBelowFivePercent_True()
    {
        var signals = Fixtures.Signals(Fixtures.Ordinary) with { NodeFs = Fixtures.RoomyDisk with { InodesFree = 90_000 } };

        Assert.StartsWith("nodefs.inodesFree crossed", ConditionSetters.DiskPressure(signals, Defaults).Observed);
    }

    [Fact]
    public void DiskPressure_NoInodeTable_IsNoInodeSignal()
    {
        var btrfs = Fixtures.RoomyDisk with { Inodes = 0, InodesFree = 0 };

        Assert.Equal("False", ConditionSetters.DiskPressure(Fixtures.Signals(Fixtures.Ordinary, btrfs), Defaults).Status);
    }

    [Fact]
    public void PidPressure_Ordinary_False() =>
        Assert.Equal(("False", "KubeletHasSufficientPID"), Pair(ConditionSetters.PidPressure(Fixtures.Signals(Fixtures.Ordinary), Defaults)));

    [Fact]
    public void PidPressure_SevenPercentOfThreadsMaxFree_True()
    {
        var state = ConditionSetters.PidPressure(Fixtures.Signals(Fixtures.FullDisk), Defaults);

        Assert.Equal(("True", "KubeletHasInsufficientPID", "kubelet has insufficient PID available"), (state.Status, state.Reason, state.Message));
        Assert.Contains("pid.available=1011 of 15211", state.Observed);
    }

    [Fact]
    public void ThermalThrottling_Pi_TrueFromTheFirmwareFlagsNotingUnderVoltage()
    {
        var state = ConditionSetters.ThermalThrottling(Fixtures.Signals(Fixtures.Pi), Defaults)!;

        Assert.Equal(("edge.io/ThermalThrottling", "True", "FirmwareThrottling"), (state.Type, state.Status, state.Reason));
        Assert.Equal("the Raspberry Pi firmware throttles the CPU (the supply is also under-voltage, which the firmware throttles for too)", state.Message);
    }

    [Fact]
    public void ThermalThrottling_PiCoolAndCalm_False()
    {
        var signals = Fixtures.Signals(Fixtures.Pi) with { PiThrottled = new Edge.Native.HostInfo.PiThrottledFlags(0x50000) };

        Assert.Equal(("False", "NoThermalThrottling"), Pair(ConditionSetters.ThermalThrottling(signals, Defaults)!));
    }

    [Fact]
    public void ThermalThrottling_HotX86_TrueNamingTheZoneAndItsPassiveTripPoint()
    {
        var state = ConditionSetters.ThermalThrottling(Fixtures.Signals(Fixtures.HotX86), Defaults)!;

        Assert.Equal(("True", "ThermalZoneOverTripPoint"), Pair(state));
        Assert.Equal("thermal_zone1 (x86_pkg_temp) is at or above its passive trip point of 95 °C", state.Message);
    }

    [Fact]
    public void ThermalThrottling_NoSensors_NoCondition() =>
        Assert.Null(ConditionSetters.ThermalThrottling(Fixtures.Signals(Fixtures.Ordinary), Defaults));

    [Fact]
    public void UnderVoltage_Pi_TrueFromTheRpiVoltAlarm()
    {
        var state = ConditionSetters.UnderVoltage(Fixtures.Signals(Fixtures.Pi), Defaults)!;

        Assert.Equal(("edge.io/UnderVoltage", "True", "UnderVoltageDetected"), (state.Type, state.Status, state.Reason));
        Assert.Equal("rpi_volt in0_lcrit_alarm=1", state.Observed);
    }

    [Fact]
    public void UnderVoltage_AlarmClear_WinsOverTheFirmwareFlag() =>
        Assert.Equal("False", ConditionSetters.UnderVoltage(Fixtures.Signals(Fixtures.Pi) with { PiUnderVoltageAlarm = false }, Defaults)!.Status);

    [Fact]
    public void UnderVoltage_OnlyFirmwareFlags_ReadsBitZero()
    {
        var signals = Fixtures.Signals(Fixtures.Pi) with { PiUnderVoltageAlarm = null, PiThrottled = new Edge.Native.HostInfo.PiThrottledFlags(0x10000) };

        Assert.Equal(("False", "SufficientVoltage"), Pair(ConditionSetters.UnderVoltage(signals, Defaults)!));
    }

    [Theory]
    [InlineData(Fixtures.HotX86)]
    [InlineData(Fixtures.Ordinary)]
    public void UnderVoltage_NotAPi_NoCondition(string fixture) =>
        Assert.Null(ConditionSetters.UnderVoltage(Fixtures.Signals(fixture), Defaults));

    [Fact]
    public void ClockSkew_FiveSecondsAhead_True()
    {
        var clock = new ServerClockSample(Sent, Sent.AddMilliseconds(40), new DateTimeOffset(2026, 11, 23, 9, 30, 10, TimeSpan.Zero));

        var state = ConditionSetters.ClockSkew(Fixtures.Signals(Fixtures.Ordinary, clock: clock), Defaults)!;

        Assert.Equal(("edge.io/ClockSkew", "True", "ClockSkewed"), (state.Type, state.Status, state.Reason));
        Assert.Equal("the node's clock differs from the API server's by more than 2s: check NTP on the device", state.Message);
    }

    [Fact]
    public void ClockSkew_SameSecond_False()
    {
        var clock = new ServerClockSample(Sent, Sent.AddMilliseconds(40), new DateTimeOffset(2026, 11, 23, 9, 30, 15, TimeSpan.Zero));

        Assert.Equal(("False", "ClockInSync"), Pair(ConditionSetters.ClockSkew(Fixtures.Signals(Fixtures.Ordinary, clock: clock), Defaults)!));
    }

    [Fact]
    public void ClockSkew_SlowAnswer_IsNotSkew()
    {
        // Four seconds in flight: the server may have stamped its Date anywhere in them.
        var clock = new ServerClockSample(Sent, Sent.AddSeconds(4), new DateTimeOffset(2026, 11, 23, 9, 30, 14, TimeSpan.Zero));

        Assert.Equal("False", ConditionSetters.ClockSkew(Fixtures.Signals(Fixtures.Ordinary, clock: clock), Defaults)!.Status);
    }

    [Fact]
    public void ClockSkew_NoDateHeaderYet_NoCondition() =>
        Assert.Null(ConditionSetters.ClockSkew(Fixtures.Signals(Fixtures.Ordinary), Defaults));

    [Fact]
    public void NodePressure_FullDisk_AllThreePressures()
    {
        var signals = Fixtures.Signals(Fixtures.FullDisk, Fixtures.NearlyFullDisk);
        var states = ConditionSetters.Pressure.Select(s => s(signals, Defaults)!).ToList();

        var pressure = NodePressure.From(states, signals, Sent);

        Assert.Equal((true, true, true), (pressure.Memory, pressure.Disk, pressure.Pids));
        Assert.Same(signals, pressure.Signals);
    }

    private static (string Status, string Reason) Pair(ConditionState state) => (state.Status, state.Reason);
}
