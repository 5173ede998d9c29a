using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.Preprocessing;

/// <summary>
/// An exact reorientation by axis permutation and flips (no interpolation): typically to canonical RAS+ (i → R,
/// j → A, k → S, nibabel's <c>as_closest_canonical</c>) and back. Works on any tensor whose last three dimensions are
/// <c>[D, H, W]</c> (so on the GPU too) and updates the affine so that every voxel keeps its world position.
/// </summary>
public sealed class Reorientation
{
    private readonly int[] permutation;
    private readonly bool[] flip;

    private Reorientation(VolumeGeometry source, int[] permutation, bool[] flip)
    {
        Source = source;
        this.permutation = permutation;
        this.flip = flip;
        var oldShape = source.Shape;
        var t = new double[4, 4];
        for (var n = 0; n < 3; n++)
        {
            var a = permutation[n];
            t[a, n] = flip[n] ? -1 : 1;
            t[a, 3] = flip[n] ? oldShape[a] - 1 : 0;
        }

        t[3, 3] = 1;
        var affine = Matrix3.Multiply4(source.Affine, t);
        Target = new VolumeGeometry(oldShape[permutation[0]], oldShape[permutation[1]], oldShape[permutation[2]], affine);
    }

    /// <summary>The geometry before reorientation.</summary>
    public VolumeGeometry Source { get; }

    /// <summary>The geometry after reorientation.</summary>
    public VolumeGeometry Target { get; }

    /// <summary>For each new file axis, the old file axis it comes from.</summary>
    public IReadOnlyList<int> Permutation => permutation;

    /// <summary>For each new file axis, whether it runs opposite to its old axis.</summary>
    public IReadOnlyList<bool> Flips => flip;

    /// <summary>Whether nothing changes.</summary>
    public bool IsIdentity => permutation.SequenceEqual([0, 1, 2]) && !flip.Any(f => f);

    /// <summary>The plan to canonical RAS+.</summary>
    /// <param name="geometry">The source geometry.</param>
    /// <returns>The plan.</returns>
    public static Reorientation ToCanonical(VolumeGeometry geometry) => ToOrientation(geometry, "RAS");

    /// <summary>The plan to an orientation code (e.g. <c>LPS</c>, <c>RAS</c>, <c>PSR</c>).</summary>
    /// <param name="geometry">The source geometry.</param>
    /// <param name="code">Three letters, one of R/L, A/P, S/I each.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">The code is not a valid orientation.</exception>
    public static Reorientation ToOrientation(VolumeGeometry geometry, string code)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(code);
        var (world, sign) = Parse(code);
        var current = geometry.Orientation;
        var permutation = new int[3];
        var flips = new bool[3];
        for (var n = 0; n < 3; n++)
        {
            var a = Enumerable.Range(0, 3).First(x => current.WorldAxis[x] == world[n]);
            permutation[n] = a;
            flips[n] = current.Sign[a] != sign[n];
        }

        return new Reorientation(geometry, permutation, flips);
    }

    /// <summary>The inverse plan (from <see cref="Target"/> back to <see cref="Source"/>); exact.</summary>
    public Reorientation Inverse
    {
        get
        {
            var inv = new int[3];
            var invFlip = new bool[3];
            for (var n = 0; n < 3; n++)
            {
                inv[permutation[n]] = n;
                invFlip[permutation[n]] = flip[n];
            }

            return new Reorientation(Target, inv, invFlip);
        }
    }

    /// <summary>Reorients a tensor whose last three dimensions are <c>[D, H, W]</c> of <see cref="Source"/>.</summary>
    /// <param name="data">The tensor (any device, any leading dimensions).</param>
    /// <returns>A new contiguous tensor on the same device.</returns>
    public Tensor Apply(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var r = data.dim();
        if (r < 3 || data.shape[r - 1] != Source.Shape[0] || data.shape[r - 2] != Source.Shape[1] || data.shape[r - 3] != Source.Shape[2])
        {
            throw new ArgumentException($"Expected [..., {Source.Shape[2]}, {Source.Shape[1]}, {Source.Shape[0]}] (D, H, W); got [{string.Join(", ", data.shape)}].", nameof(data));
        }

        using var scope = NewDisposeScope();
        long Dim(int fileAxis) => r - 1 - fileAxis;
        var flipDims = Enumerable.Range(0, 3).Where(n => flip[n]).Select(n => Dim(permutation[n])).ToArray();
        var flipped = flipDims.Length > 0 ? data.flip(flipDims) : data.alias();
        var order = Enumerable.Range(0, (int)r - 3).Select(d => (long)d).Concat([Dim(permutation[2]), Dim(permutation[1]), Dim(permutation[0])]).ToArray();
        return flipped.permute(order).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Reorients a volume (new tensor; the source volume is unchanged).</summary>
    /// <param name="volume">A volume on <see cref="Source"/>'s grid.</param>
    /// <returns>The reoriented volume.</returns>
    public Volume Apply(Volume volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return new Volume(Apply(volume.Data), Target, volume.Metadata);
    }

    private static (int[] World, int[] Sign) Parse(string code)
    {
        if (code.Length != 3)
        {
            throw new ArgumentException($"Orientation code must have three letters; got \"{code}\".", nameof(code));
        }

        var world = new int[3];
        var sign = new int[3];
        for (var n = 0; n < 3; n++)
        {
            (world[n], sign[n]) = char.ToUpperInvariant(code[n]) switch
            {
                'R' => (0, 1),
                'L' => (0, -1),
                'A' => (1, 1),
                'P' => (1, -1),
                'S' => (2, 1),
                'I' => (2, -1),
                _ => throw new ArgumentException($"Invalid orientation letter '{code[n]}' in \"{code}\".", nameof(code)),
            };
        }

        if (world.Distinct().Count() != 3)
        {
            throw new ArgumentException($"Orientation code \"{code}\" names a world axis twice.", nameof(code));
        }

        return (world, sign);
    }
}
