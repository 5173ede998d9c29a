using System.Globalization;

namespace Hermes.Data;

/// <summary>
/// Chooses patch positions in a case: with probability <see cref="ForegroundRatio"/> a foreground patch (nnU-Net style:
/// pick one of the label values present in the case uniformly, so the tasks present are balanced, then centre the patch on a
/// random voxel of it), otherwise a uniformly random patch. Volumes smaller than the patch along an axis are padded: the
/// volume lands at a random position inside the patch (or around the chosen voxel). Every offset is reachable (the
/// reference's exclusive upper bound, §14.10, is not reproduced).
/// </summary>
public sealed class PatchSampler
{
    /// <summary>Creates the sampler.</summary>
    /// <param name="foregroundRatio">Probability of a foreground patch, in [0, 1] (nnU-Net: 0.33; reference Hermes: 0).</param>
    public PatchSampler(double foregroundRatio)
    {
        if (!(foregroundRatio is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(foregroundRatio), foregroundRatio.ToString(CultureInfo.InvariantCulture), "The foreground ratio must be within [0, 1].");
        }

        ForegroundRatio = foregroundRatio;
    }

    /// <summary>Probability of a foreground patch.</summary>
    public double ForegroundRatio { get; }

    /// <summary>Chooses a patch.</summary>
    /// <param name="source">The case.</param>
    /// <param name="size">Patch size <c>(d, h, w)</c>.</param>
    /// <param name="random">The generator (one draw decision, then the position).</param>
    /// <returns>The patch position.</returns>
    public PatchDraw Draw(PreprocessedCase source, IReadOnlyList<int> size, Random random)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(size);
        ArgumentNullException.ThrowIfNull(random);
        var shape = new[] { source.Shape[1], source.Shape[2], source.Shape[3] };
        var foreground = random.NextDouble() < ForegroundRatio;
        var present = source.VoxelCounts.Keys.Order().ToArray();
        var start = new int[3];
        if (foreground && present.Length > 0)
        {
            var value = present[random.Next(present.Length)];
            var locations = source.Locations(value);
            var pick = random.Next(locations.Length / 3);
            for (var a = 0; a < 3; a++)
            {
                var (lo, hi) = Range(shape[a], size[a]);
                start[a] = Math.Clamp(locations[(pick * 3) + a] - (size[a] / 2), lo, hi);
            }

            return new PatchDraw(start, true, value);
        }

        for (var a = 0; a < 3; a++)
        {
            var (lo, hi) = Range(shape[a], size[a]);
            start[a] = random.Next(lo, hi + 1);
        }

        return new PatchDraw(start, false, 0);
    }

    /// <summary>Valid patch starts along an axis: the patch stays inside the volume, or the volume inside the patch.</summary>
    private static (int Lo, int Hi) Range(int extent, int patch) => extent >= patch ? (0, extent - patch) : (extent - patch, 0);
}
