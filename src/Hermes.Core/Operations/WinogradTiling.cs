namespace Hermes.Operations;

/// <summary>
/// The tiling of one batch item for <see cref="WinogradTransforms"/>: a D×H×W volume (all even) in 2×2×2 tiles, and the run of
/// tile rows (one row = one (tz, ty) pair, TileColumns tiles along x) that one slab covers.
/// </summary>
/// <param name="Depth">D.</param>
/// <param name="Height">H.</param>
/// <param name="TileRows">Tile rows per tile plane, H / 2.</param>
/// <param name="TileColumns">Tiles per row, W / 2.</param>
/// <param name="FirstRow">The slab's first tile row, tz · TileRows + ty.</param>
/// <param name="RowCount">The slab's tile rows.</param>
internal readonly record struct WinogradTiling(long Depth, long Height, long TileRows, long TileColumns, long FirstRow, long RowCount);
