using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>Applies <see cref="PostprocessingOptions"/> to binary task masks.</summary>
public sealed class MaskPostprocessor
{
    private readonly PostprocessingOptions options;

    /// <summary>Creates a postprocessor.</summary>
    /// <param name="options">The options; validated here.</param>
    public MaskPostprocessor(PostprocessingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
    }

    /// <summary>Postprocesses one task's mask in place.</summary>
    /// <param name="mask">The mask [D, H, W], C order, non-zero = foreground.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="spacing">Its spacing in mm (used by <see cref="PostprocessingOptions.MinimumComponentVolumeMm3"/>).</param>
    public void Apply(Span<byte> mask, MaskShape shape, VoxelSpacing spacing)
    {
        shape.Validate(mask.Length, nameof(mask));
        var minimum = MinimumVoxels(spacing);
        if (minimum > 1)
        {
            ConnectedComponents.RemoveSmall(mask, shape, minimum, options.Connectivity);
        }

        if (options.KeepLargestComponent)
        {
            ConnectedComponents.KeepLargest(mask, shape, options.Connectivity);
        }

        if (options.FillHoles)
        {
            ConnectedComponents.FillHoles(mask, shape);
        }
    }

    /// <summary>Postprocesses task masks [T, D, H, W] (or one mask [D, H, W]); returns a new uint8 CPU tensor of 0/1.</summary>
    /// <param name="masks">The masks, any dtype and device, non-zero = foreground.</param>
    /// <param name="spacing">Their spacing in mm (z, y, x).</param>
    /// <returns>The postprocessed masks.</returns>
    public Tensor Apply(Tensor masks, VoxelSpacing spacing)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.dim() is not (3 or 4))
        {
            throw new ArgumentException($"Expected masks [T, D, H, W] or [D, H, W]; got [{string.Join(", ", masks.shape)}].", nameof(masks));
        }

        var shape = MaskShape.FromTensorShape(masks.shape);
        var voxels = MaskBytes.From(masks);

        var perTask = checked((int)shape.VoxelCount);
        for (var offset = 0; offset < voxels.Length; offset += perTask)
        {
            Apply(voxels.AsSpan(offset, perTask), shape, spacing);
        }

        return tensor(voxels, masks.shape, ScalarType.Byte);
    }

    private long MinimumVoxels(VoxelSpacing spacing)
    {
        var minimum = options.MinimumComponentVoxels;
        if (options.MinimumComponentVolumeMm3 > 0)
        {
            spacing.Validate();
            minimum = Math.Max(minimum, (long)Math.Ceiling((options.MinimumComponentVolumeMm3 / spacing.VoxelVolume) - 1e-9));
        }

        return minimum;
    }
}
