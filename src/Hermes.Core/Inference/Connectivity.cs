namespace Hermes.Inference;

/// <summary>Which voxel neighbours count as connected in 3D.</summary>
public enum Connectivity
{
    /// <summary>6-connectivity: neighbours sharing a face.</summary>
    Faces = 6,

    /// <summary>18-connectivity: neighbours sharing a face or an edge.</summary>
    Edges = 18,

    /// <summary>26-connectivity: neighbours sharing a face, an edge or a corner.</summary>
    Corners = 26,
}
