using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Volumes;

/// <summary>Voxel statistics of a volume (all channels), of the scaled values, NaNs ignored; computed with LibTorch (float64 accumulation).</summary>
public sealed record VolumeStatistics
{
    /// <summary>The default cap on the number of distinct values listed.</summary>
    public const int DefaultUniqueCap = 256;

    /// <summary>Number of voxels (all channels).</summary>
    public long Count { get; init; }

    /// <summary>Number of NaN voxels.</summary>
    public long NaNCount { get; init; }

    /// <summary>Smallest non-NaN value (NaN when every voxel is NaN).</summary>
    public double Min { get; init; }

    /// <summary>Largest non-NaN value.</summary>
    public double Max { get; init; }

    /// <summary>Mean of the non-NaN values.</summary>
    public double Mean { get; init; }

    /// <summary>Population standard deviation of the non-NaN values.</summary>
    public double Std { get; init; }

    /// <summary>For integer-valued data (integer types, or floats whose values are all integers, e.g. float label maps): the number of distinct values; otherwise <see langword="null"/>.</summary>
    public long? UniqueCount { get; init; }

    /// <summary>The distinct values (ascending), at most the cap; <see langword="null"/> for non-integer data.</summary>
    public IReadOnlyList<double>? UniqueValues { get; init; }

    /// <summary>Computes the statistics.</summary>
    /// <param name="volume">The volume.</param>
    /// <param name="uniqueCap">Most distinct values listed.</param>
    /// <returns>The statistics.</returns>
    public static VolumeStatistics Compute(Volume volume, int uniqueCap = DefaultUniqueCap)
    {
        ArgumentNullException.ThrowIfNull(volume);
        using var scope = NewDisposeScope();
        var data = volume.Data.flatten();
        var count = data.numel();
        var x = data.to(ScalarType.Float64);
        var finite = x.isnan().logical_not();
        var nanCount = count - finite.sum().item<long>();
        var values = nanCount > 0 ? x.masked_select(finite) : x;
        if (values.numel() == 0)
        {
            return new VolumeStatistics { Count = count, NaNCount = nanCount, Min = double.NaN, Max = double.NaN, Mean = double.NaN, Std = double.NaN };
        }

        var isIntegerValued = !volume.Data.is_floating_point() || values.frac().abs().max().item<double>() == 0;
        long? uniqueCount = null;
        IReadOnlyList<double>? unique = null;
        if (isIntegerValued)
        {
            var u = torch.unique(values, sorted: true).Item1;
            uniqueCount = u.numel();
            unique = u.narrow(0, 0, Math.Min(u.numel(), uniqueCap)).cpu().data<double>().ToArray();
        }

        return new VolumeStatistics
        {
            Count = count,
            NaNCount = nanCount,
            Min = values.min().item<double>(),
            Max = values.max().item<double>(),
            Mean = values.mean().item<double>(),
            Std = values.std(unbiased: false).item<double>(),
            UniqueCount = uniqueCount,
            UniqueValues = unique,
        };
    }
}
