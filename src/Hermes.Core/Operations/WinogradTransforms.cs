using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Hermes.Operations;

/// <summary>
/// The tile transforms of the Winograd convolution F(2×2×2, 3×3×3) (<see cref="WinogradConvolution"/>), for one channel of
/// one batch item and a run of tile rows. Tile (tz, ty, tx) covers output voxels 2tz…2tz+1 × 2ty…2ty+1 × 2tx…2tx+1 and reads
/// the 4×4×4 input patch that starts one voxel before them (padding 1: out-of-volume voxels are zero).
/// </summary>
/// <remarks>
/// <para>Input transform <c>V = Bᵀ d B</c> along each axis with <c>Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]</c>;
/// output transform <c>Y = Aᵀ M A</c> with <c>Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]</c> (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", CVPR 2016). Both are additions only, so they are exact up to float32 rounding.</para>
/// <para>Each register holds consecutive tiles of one tile row (tx, tx + 1, …). Along x the input is read from its even and
/// odd voxels, stored apart (<c>even[k] = x[2k − 1]</c>, <c>odd[k] = x[2k]</c>, zero outside the volume), so the four x
/// taps of a run of tiles are four plain loads: even[tx], odd[tx], even[tx + 1], odd[tx + 1].</para>
/// </remarks>
internal static unsafe class WinogradTransforms
{
    /// <summary>Transformed positions per tile (4³); position ξ = 16·z + 4·y + x.</summary>
    public const int Positions = 64;

    /// <summary>
    /// Writes the 64 transformed values of every tile of <paramref name="tiling"/>'s rows for one channel:
    /// <c>tiles[ξ · positionStride + (row − FirstRow) · TileColumns + tx]</c>.
    /// </summary>
    /// <param name="even">This channel's even-voxel planes <c>[D, H, TileColumns + 1]</c>.</param>
    /// <param name="odd">This channel's odd-voxel planes <c>[D, H, TileColumns + 1]</c>.</param>
    /// <param name="tiles">This channel's first transformed value; register-aligned.</param>
    /// <param name="positionStride">Floats between two positions ξ of the same tile.</param>
    /// <param name="tiling">The volume and the rows to transform.</param>
    /// <param name="streaming">Store past the cache (slabs too large for it to keep for the GEMM).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformInput<TV, TLanes>(float* even, float* odd, float* tiles, long positionStride, in WinogradTiling tiling, bool streaming)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        TV* rows = stackalloc TV[16]; // after the x transform: [dy][x position]
        TV* planes = stackalloc TV[Positions]; // after the y transform: [dz][y position][x position]
        long rowLength = tiling.TileColumns + 1, plane = tiling.Height * rowLength;
        for (long r = 0; r < tiling.RowCount; r++)
        {
            long tz = (tiling.FirstRow + r) / tiling.TileRows, ty = (tiling.FirstRow + r) % tiling.TileRows;
            for (long tx = 0; tx < tiling.TileColumns; tx += TLanes.Count)
            {
                for (int dz = 0; dz < 4; dz++)
                {
                    long z = (2 * tz) + dz - 1;
                    for (int dy = 0; dy < 4; dy++)
                    {
                        long y = (2 * ty) + dy - 1;
                        var row = rows + (4 * dy);
                        if (z < 0 || z >= tiling.Depth || y < 0 || y >= tiling.Height)
                        {
                            row[0] = row[1] = row[2] = row[3] = TLanes.Zero;
                            continue;
                        }

                        long at = (z * plane) + (y * rowLength) + tx;
                        TV e0 = TLanes.Load(even + at), o0 = TLanes.Load(odd + at), e1 = TLanes.Load(even + at + 1), o1 = TLanes.Load(odd + at + 1);
                        row[0] = TLanes.Subtract(e0, e1);
                        row[1] = TLanes.Add(o0, e1);
                        row[2] = TLanes.Subtract(e1, o0);
                        row[3] = TLanes.Subtract(o0, o1);
                    }

                    var target = planes + (16 * dz);
                    for (int ix = 0; ix < 4; ix++)
                    {
                        TV a0 = rows[ix], a1 = rows[4 + ix], a2 = rows[8 + ix], a3 = rows[12 + ix];
                        target[ix] = TLanes.Subtract(a0, a2);
                        target[4 + ix] = TLanes.Add(a1, a2);
                        target[8 + ix] = TLanes.Subtract(a2, a1);
                        target[12 + ix] = TLanes.Subtract(a1, a3);
                    }
                }

                var destination = tiles + (r * tiling.TileColumns) + tx;
                for (int j = 0; j < 16; j++)
                {
                    TV a0 = planes[j], a1 = planes[16 + j], a2 = planes[32 + j], a3 = planes[48 + j];
                    Store<TV, TLanes>(TLanes.Subtract(a0, a2), destination + (j * positionStride), streaming);
                    Store<TV, TLanes>(TLanes.Add(a1, a2), destination + ((16 + j) * positionStride), streaming);
                    Store<TV, TLanes>(TLanes.Subtract(a2, a1), destination + ((32 + j) * positionStride), streaming);
                    Store<TV, TLanes>(TLanes.Subtract(a1, a3), destination + ((48 + j) * positionStride), streaming);
                }
            }
        }

        if (streaming)
        {
            Sse.StoreFence(); // non-temporal stores are weakly ordered: make them visible before the GEMM reads them
        }
    }

    private static void Store<TV, TLanes>(TV value, float* destination, bool streaming)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        if (streaming)
        {
            TLanes.StoreNonTemporal(value, destination);
        }
        else
        {
            TLanes.Store(value, destination);
        }
    }

    /// <summary>
    /// Turns the 64 products of every tile of <paramref name="tiling"/>'s rows for one output channel into its 2×2×2 output
    /// voxels: reads <c>products[ξ · positionStride + (row − FirstRow) · TileColumns + tx]</c>, writes the channel's
    /// <c>[D, H, W]</c> volume.
    /// </summary>
    /// <param name="products">This output channel's first product.</param>
    /// <param name="output">This output channel's volume <c>[D, H, W]</c>.</param>
    /// <param name="positionStride">Floats between two positions ξ of the same tile.</param>
    /// <param name="tiling">The volume and the rows to write.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutput<TV, TLanes>(float* products, float* output, long positionStride, in WinogradTiling tiling)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        TV* planes = stackalloc TV[32]; // after the z transform: [output z][y position][x position]
        long width = 2 * tiling.TileColumns;
        for (long r = 0; r < tiling.RowCount; r++)
        {
            long tz = (tiling.FirstRow + r) / tiling.TileRows, ty = (tiling.FirstRow + r) % tiling.TileRows;
            for (long tx = 0; tx < tiling.TileColumns; tx += TLanes.Count)
            {
                var source = products + (r * tiling.TileColumns) + tx;
                for (int j = 0; j < 16; j++)
                {
                    TV m0 = TLanes.Load(source + (j * positionStride)), m1 = TLanes.Load(source + ((16 + j) * positionStride));
                    TV m2 = TLanes.Load(source + ((32 + j) * positionStride)), m3 = TLanes.Load(source + ((48 + j) * positionStride));
                    planes[j] = TLanes.Add(TLanes.Add(m0, m1), m2);
                    planes[16 + j] = TLanes.Subtract(TLanes.Subtract(m1, m2), m3);
                }

                for (int oz = 0; oz < 2; oz++)
                {
                    var p = planes + (16 * oz);
                    for (int oy = 0; oy < 2; oy++)
                    {
                        TV c0, c1, c2, c3;
                        if (oy == 0)
                        {
                            c0 = TLanes.Add(TLanes.Add(p[0], p[4]), p[8]);
                            c1 = TLanes.Add(TLanes.Add(p[1], p[5]), p[9]);
                            c2 = TLanes.Add(TLanes.Add(p[2], p[6]), p[10]);
                            c3 = TLanes.Add(TLanes.Add(p[3], p[7]), p[11]);
                        }
                        else
                        {
                            c0 = TLanes.Subtract(TLanes.Subtract(p[4], p[8]), p[12]);
                            c1 = TLanes.Subtract(TLanes.Subtract(p[5], p[9]), p[13]);
                            c2 = TLanes.Subtract(TLanes.Subtract(p[6], p[10]), p[14]);
                            c3 = TLanes.Subtract(TLanes.Subtract(p[7], p[11]), p[15]);
                        }

                        var left = TLanes.Add(TLanes.Add(c0, c1), c2);
                        var right = TLanes.Subtract(TLanes.Subtract(c1, c2), c3);
                        long z = (2 * tz) + oz, y = (2 * ty) + oy;
                        TLanes.StoreInterleaved(left, right, output + (((z * tiling.Height) + y) * width) + (2 * tx));
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="TransformOutput{TV, TLanes}"/> for one output channel: turns the gradient of the loss with
    /// respect to each 2×2×2 output tile into the gradient with respect to its 64 products, <c>A ∂Y Aᵀ</c> along each axis
    /// with <c>A = [[1, 0], [1, 1], [1, −1], [0, −1]]</c>; writes <c>tiles[ξ · positionStride + (row − FirstRow) · TileColumns + tx]</c>.
    /// </summary>
    /// <param name="gradient">This output channel's gradient volume <c>[D, H, W]</c>, contiguous.</param>
    /// <param name="tiles">This output channel's first transformed value.</param>
    /// <param name="positionStride">Floats between two positions ξ of the same tile.</param>
    /// <param name="tiling">The volume and the rows to transform.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutputGradient<TV, TLanes>(float* gradient, float* tiles, long positionStride, in WinogradTiling tiling)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        TV* rows = stackalloc TV[8]; // after the x transform: [output y][x position]
        TV* planes = stackalloc TV[32]; // after the y transform: [output z][y position][x position]
        long width = 2 * tiling.TileColumns;
        for (long r = 0; r < tiling.RowCount; r++)
        {
            long tz = (tiling.FirstRow + r) / tiling.TileRows, ty = (tiling.FirstRow + r) % tiling.TileRows;
            for (long tx = 0; tx < tiling.TileColumns; tx += TLanes.Count)
            {
                for (int oz = 0; oz < 2; oz++)
                {
                    for (int oy = 0; oy < 2; oy++)
                    {
                        long z = (2 * tz) + oz, y = (2 * ty) + oy;
                        var source = gradient + (((z * tiling.Height) + y) * width) + (2 * tx);
                        TLanes.Deinterleave(TLanes.Load(source), TLanes.Load(source + TLanes.Count), out var e, out var o);
                        var row = rows + (4 * oy);
                        row[0] = e;
                        row[1] = TLanes.Add(e, o);
                        row[2] = TLanes.Subtract(e, o);
                        row[3] = TLanes.Subtract(TLanes.Zero, o);
                    }

                    var target = planes + (16 * oz);
                    for (int ix = 0; ix < 4; ix++)
                    {
                        TV a0 = rows[ix], a1 = rows[4 + ix];
                        target[ix] = a0;
                        target[4 + ix] = TLanes.Add(a0, a1);
                        target[8 + ix] = TLanes.Subtract(a0, a1);
                        target[12 + ix] = TLanes.Subtract(TLanes.Zero, a1);
                    }
                }

                var destination = tiles + (r * tiling.TileColumns) + tx;
                for (int j = 0; j < 16; j++)
                {
                    TV a0 = planes[j], a1 = planes[16 + j];
                    TLanes.Store(a0, destination + (j * positionStride));
                    TLanes.Store(TLanes.Add(a0, a1), destination + ((16 + j) * positionStride));
                    TLanes.Store(TLanes.Subtract(a0, a1), destination + ((32 + j) * positionStride));
                    TLanes.Store(TLanes.Subtract(TLanes.Zero, a1), destination + ((48 + j) * positionStride));
                }
            }
        }
    }
}
