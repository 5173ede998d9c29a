namespace Hermes.Inference;

/// <summary>
/// Postprocessing of binary task masks, applied per task in this order: remove small components, keep the largest
/// component, fill holes. Everything is off by default (the reference does no postprocessing, §11).
/// </summary>
public sealed class PostprocessingOptions
{
    /// <summary>Keep only the largest connected component of each task.</summary>
    public bool KeepLargestComponent { get; set; }

    /// <summary>Fill enclosed background cavities (background not connected to the array border, 6-connected).</summary>
    public bool FillHoles { get; set; }

    /// <summary>Remove components with fewer voxels than this (0 = off).</summary>
    public long MinimumComponentVoxels { get; set; }

    /// <summary>Remove components smaller than this volume in mm³ (0 = off); combined with <see cref="MinimumComponentVoxels"/> by taking the stricter.</summary>
    public double MinimumComponentVolumeMm3 { get; set; }

    /// <summary>Foreground connectivity for component analysis. Default 26 (<see cref="Connectivity.Corners"/>).</summary>
    public Connectivity Connectivity { get; set; } = Connectivity.Corners;

    /// <summary>Whether any step is enabled.</summary>
    public bool IsEnabled => KeepLargestComponent || FillHoles || MinimumComponentVoxels > 0 || MinimumComponentVolumeMm3 > 0;

    /// <summary>Throws when an option is out of range; the message names it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public void Validate()
    {
        if (MinimumComponentVoxels < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumComponentVoxels), MinimumComponentVoxels, "PostprocessingOptions.MinimumComponentVoxels must be ≥ 0.");
        }

        if (!(MinimumComponentVolumeMm3 >= 0) || double.IsInfinity(MinimumComponentVolumeMm3))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumComponentVolumeMm3), MinimumComponentVolumeMm3, "PostprocessingOptions.MinimumComponentVolumeMm3 must be a finite number ≥ 0.");
        }

        if (!Enum.IsDefined(Connectivity))
        {
            throw new ArgumentOutOfRangeException(nameof(Connectivity), Connectivity, "PostprocessingOptions.Connectivity must be Faces (6), Edges (18) or Corners (26).");
        }
    }
}
