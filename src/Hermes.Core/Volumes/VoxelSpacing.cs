namespace Hermes.Volumes;

/// <summary>
/// Physical voxel spacing in millimetres, in array-axis order (z, y, x) to match masks laid out as [D, H, W].
/// </summary>
/// <param name="Z">Spacing along the first array axis (D), in mm.</param>
/// <param name="Y">Spacing along the second array axis (H), in mm.</param>
/// <param name="X">Spacing along the third array axis (W), in mm.</param>
public readonly record struct VoxelSpacing(double Z, double Y, double X)
{
    /// <summary>Isotropic 1 mm spacing.</summary>
    public static VoxelSpacing Unit => new(1, 1, 1);

    /// <summary>Volume of one voxel in mm³.</summary>
    public double VoxelVolume => Z * Y * X;

    /// <summary>Length of the voxel diagonal in mm.</summary>
    public double Diagonal => Math.Sqrt((Z * Z) + (Y * Y) + (X * X));

    /// <summary>Throws when a component is not a finite positive number.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A spacing component is zero, negative, NaN or infinite.</exception>
    public void Validate()
    {
        if (!(double.IsFinite(Z) && Z > 0 && double.IsFinite(Y) && Y > 0 && double.IsFinite(X) && X > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(VoxelSpacing), this, $"Voxel spacing must be finite and positive in every axis; got (z {Z}, y {Y}, x {X}) mm.");
        }
    }
}
