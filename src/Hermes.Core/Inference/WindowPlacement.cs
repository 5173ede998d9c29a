namespace Hermes.Inference;

/// <summary>Where one window lies: the volume's index in the input batch and the window's first voxel (z, y, x).</summary>
/// <param name="Volume">Index of the volume in the input batch (0 for a 4D input).</param>
/// <param name="Z">First slice of the window in the (end-padded) volume.</param>
/// <param name="Y">First row of the window.</param>
/// <param name="X">First column of the window.</param>
public readonly record struct WindowPlacement(int Volume, int Z, int Y, int X);
