namespace Hermes.Volumes;

/// <summary>The extent of a 3D mask in array-axis order [D, H, W] (C order: x varies fastest).</summary>
/// <param name="Depth">Number of slices (first axis, z).</param>
/// <param name="Height">Number of rows (second axis, y).</param>
/// <param name="Width">Number of columns (third axis, x).</param>
public readonly record struct MaskShape(int Depth, int Height, int Width)
{
    /// <summary>Total number of voxels.</summary>
    public long VoxelCount => (long)Depth * Height * Width;

    /// <summary>Creates the shape of the last three dimensions of a tensor shape.</summary>
    /// <param name="shape">A tensor shape with at least three dimensions.</param>
    /// <returns>The spatial shape.</returns>
    /// <exception cref="ArgumentException">Fewer than three dimensions or a dimension larger than <see cref="int.MaxValue"/>.</exception>
    public static MaskShape FromTensorShape(ReadOnlySpan<long> shape)
    {
        if (shape.Length < 3)
        {
            throw new ArgumentException($"Expected a tensor with at least 3 spatial dimensions [.., D, H, W]; got {shape.Length} dimension(s).", nameof(shape));
        }

        var n = shape.Length;
        return new MaskShape(checked((int)shape[n - 3]), checked((int)shape[n - 2]), checked((int)shape[n - 1]));
    }

    /// <summary>Throws when a dimension is not positive or when <paramref name="length"/> does not equal <see cref="VoxelCount"/>.</summary>
    /// <param name="length">The length of the buffer that should hold this shape.</param>
    /// <param name="name">The buffer's parameter name, used in the message.</param>
    /// <exception cref="ArgumentException">The shape and the buffer disagree.</exception>
    public void Validate(int length, string name)
    {
        if (Depth <= 0 || Height <= 0 || Width <= 0)
        {
            throw new ArgumentException($"Mask shape must be positive in every axis; got [{Depth}, {Height}, {Width}].", name);
        }

        if (length != VoxelCount)
        {
            throw new ArgumentException($"Buffer '{name}' holds {length} voxels but the shape [{Depth}, {Height}, {Width}] needs {VoxelCount}.", name);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Depth}, {Height}, {Width}]";
}
