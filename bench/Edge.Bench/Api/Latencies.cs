namespace Edge.Bench.Api;

/// <summary>Latency samples in milliseconds; nearest-rank percentiles.</summary>
public sealed class Latencies
{
    private readonly List<double> _samples = [];
    private double[]? _sorted;

    public int Count => _samples.Count;

    public void Add(double milliseconds)
    {
        _samples.Add(milliseconds);
        _sorted = null;
    }

    public void AddRange(Latencies other)
    {
        _samples.AddRange(other._samples);
        _sorted = null;
    }

    public double Percentile(double p)
    {
        _sorted ??= [.. _samples.Order()];
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    public string P50P99 => $"{Percentile(50):F2} / {Percentile(99):F2} ms";
}
