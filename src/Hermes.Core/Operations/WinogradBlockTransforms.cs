using System.Runtime.CompilerServices;

namespace Hermes.Operations;

/// <summary>
/// The three steps of <see cref="WinogradBlockedConvolution"/> for one block of tiles — one register's worth of consecutive
/// tiles (tx … tx + lanes − 1) of one tile row: the input transform of one channel, the products of one position ξ over all
/// channels, and the output transform of one output channel. Transforms as in <see cref="WinogradTransforms"/>.
/// </summary>
/// <remarks>
/// The input transform keeps its intermediate values in registers: it runs twice, once for x positions 0–1 and once for 2–3
/// (each needs three of the four x taps), and combines the z planes in the order 1, 2, 0, 3 so that at most three planes of
/// eight registers are alive at once.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class WinogradBlockTransforms
{
    /// <summary>
    /// Writes the 64 transformed values of one channel of a block: <c>values[ξ · positionStride]</c>, ξ = 16·z + 4·y + x.
    /// </summary>
    /// <param name="rows">The block's 16 input rows of this channel, <c>rows[4·dz + dy]</c>: its even voxels from tx on
    /// (<see cref="WinogradRowSplit"/>), the odd voxels <paramref name="rowLength"/> floats further; a zero row outside the volume.</param>
    /// <param name="rowLength">Floats from a row's even voxels to its odd ones (L).</param>
    /// <param name="values">This channel's value at ξ = 0.</param>
    /// <param name="positionStride">Registers between two positions ξ.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformInput<TV, TLanes>(float** rows, long rowLength, TV* values, long positionStride)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        InputHalf<TV, TLanes>(rows, rowLength, values, positionStride, high: false);
        InputHalf<TV, TLanes>(rows, rowLength, values, positionStride, high: true);
    }

    /// <summary>
    /// The products of one position ξ: <c>products[k] = Σ_c values[c] · weights[c · paddedOutChannels + k]</c> for every output
    /// channel k (in blocks of 16 for 512-bit lanes, 8 for 256-bit ones, which <paramref name="paddedOutChannels"/> is a multiple of).
    /// </summary>
    /// <param name="weights">The transformed weight at ξ, <c>[C_in, paddedOutChannels]</c>, zero in the padding.</param>
    /// <param name="values">The block's transformed input at ξ, one register per input channel.</param>
    /// <param name="products">One register per (padded) output channel.</param>
    /// <param name="inChannels">C_in.</param>
    /// <param name="paddedOutChannels">C_out rounded up to the block of output channels.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TV, TLanes>(float* weights, TV* values, TV* products, long inChannels, long paddedOutChannels)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        if (TLanes.Count == 16)
        {
            for (long k = 0; k < paddedOutChannels; k += 16)
            {
                Multiply16<TV, TLanes>(weights + k, values, products + k, inChannels, paddedOutChannels);
            }
        }
        else
        {
            for (long k = 0; k < paddedOutChannels; k += 8)
            {
                Multiply8<TV, TLanes>(weights + k, values, products + k, inChannels, paddedOutChannels);
            }
        }
    }

    /// <summary>
    /// Turns the 64 products of one output channel of a block into its 2×2×2 output voxels per tile.
    /// </summary>
    /// <param name="products">This output channel's product at ξ = 0.</param>
    /// <param name="positionStride">Registers between two positions ξ.</param>
    /// <param name="output">This output channel's first voxel of the block's tile row: <c>[2·tz, 2·ty, 2·tx]</c>.</param>
    /// <param name="width">W, floats per output row.</param>
    /// <param name="plane">H · W, floats per output plane.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformOutput<TV, TLanes>(TV* products, long positionStride, float* output, long width, long plane)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        // After the z transform: [output z][y position][x position].
        TV p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
        TV q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;
        ZTransform<TV, TLanes>(products, positionStride, 0, out p0, out q0);
        ZTransform<TV, TLanes>(products, positionStride, 1, out p1, out q1);
        ZTransform<TV, TLanes>(products, positionStride, 2, out p2, out q2);
        ZTransform<TV, TLanes>(products, positionStride, 3, out p3, out q3);
        ZTransform<TV, TLanes>(products, positionStride, 4, out p4, out q4);
        ZTransform<TV, TLanes>(products, positionStride, 5, out p5, out q5);
        ZTransform<TV, TLanes>(products, positionStride, 6, out p6, out q6);
        ZTransform<TV, TLanes>(products, positionStride, 7, out p7, out q7);
        ZTransform<TV, TLanes>(products, positionStride, 8, out p8, out q8);
        ZTransform<TV, TLanes>(products, positionStride, 9, out p9, out q9);
        ZTransform<TV, TLanes>(products, positionStride, 10, out p10, out q10);
        ZTransform<TV, TLanes>(products, positionStride, 11, out p11, out q11);
        ZTransform<TV, TLanes>(products, positionStride, 12, out p12, out q12);
        ZTransform<TV, TLanes>(products, positionStride, 13, out p13, out q13);
        ZTransform<TV, TLanes>(products, positionStride, 14, out p14, out q14);
        ZTransform<TV, TLanes>(products, positionStride, 15, out p15, out q15);
        OutputPlane<TV, TLanes>(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15, output, width);
        OutputPlane<TV, TLanes>(q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15, output + plane, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ZTransform<TV, TLanes>(TV* products, long positionStride, int j, out TV first, out TV second)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        TV m0 = products[j * positionStride], m1 = products[(16 + j) * positionStride];
        TV m2 = products[(32 + j) * positionStride], m3 = products[(48 + j) * positionStride];
        first = TLanes.Add(TLanes.Add(m0, m1), m2);
        second = TLanes.Subtract(TLanes.Subtract(m1, m2), m3);
    }

    /// <summary>One output z plane: the y and x transforms of its 16 values [y position][x position], two output rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputPlane<TV, TLanes>(
        TV p0, TV p1, TV p2, TV p3, TV p4, TV p5, TV p6, TV p7, TV p8, TV p9, TV p10, TV p11, TV p12, TV p13, TV p14, TV p15, float* output, long width)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        OutputRow<TV, TLanes>(
            TLanes.Add(TLanes.Add(p0, p4), p8), TLanes.Add(TLanes.Add(p1, p5), p9), TLanes.Add(TLanes.Add(p2, p6), p10), TLanes.Add(TLanes.Add(p3, p7), p11), output);
        OutputRow<TV, TLanes>(
            TLanes.Subtract(TLanes.Subtract(p4, p8), p12),
            TLanes.Subtract(TLanes.Subtract(p5, p9), p13),
            TLanes.Subtract(TLanes.Subtract(p6, p10), p14),
            TLanes.Subtract(TLanes.Subtract(p7, p11), p15),
            output + width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputRow<TV, TLanes>(TV c0, TV c1, TV c2, TV c3, float* output)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        var left = TLanes.Add(TLanes.Add(c0, c1), c2);
        var right = TLanes.Subtract(TLanes.Subtract(c1, c2), c3);
        TLanes.StoreInterleaved(left, right, output);
    }

    /// <summary>Half of the input transform: x positions 0–1 (<paramref name="high"/> false) or 2–3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputHalf<TV, TLanes>(float** rows, long rowLength, TV* values, long positionStride, bool high)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        var x = high ? 2 : 0;
        var p = Plane<TV, TLanes>(rows + 4, rowLength, high);
        var q = Plane<TV, TLanes>(rows + 8, rowLength, high);
        Store<TV, TLanes>(Combine<TV, TLanes>(p, q, add: true), values + ((16 + x) * positionStride), positionStride); // z position 1: d1 + d2
        Store<TV, TLanes>(Combine<TV, TLanes>(q, p, add: false), values + ((32 + x) * positionStride), positionStride); // 2: d2 − d1
        var r = Plane<TV, TLanes>(rows, rowLength, high);
        Store<TV, TLanes>(Combine<TV, TLanes>(r, q, add: false), values + (x * positionStride), positionStride); // 0: d0 − d2
        var s = Plane<TV, TLanes>(rows + 12, rowLength, high);
        Store<TV, TLanes>(Combine<TV, TLanes>(p, s, add: false), values + ((48 + x) * positionStride), positionStride); // 3: d1 − d3
    }

    /// <summary>The x and y transforms of one z plane (four rows) for one half's two x positions: [y position][x position].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PlaneHalf<TV> Plane<TV, TLanes>(float** rows, long rowLength, bool high)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        Row<TV, TLanes>(rows[0], rowLength, high, out var a0, out var b0);
        Row<TV, TLanes>(rows[1], rowLength, high, out var a1, out var b1);
        Row<TV, TLanes>(rows[2], rowLength, high, out var a2, out var b2);
        Row<TV, TLanes>(rows[3], rowLength, high, out var a3, out var b3);
        return new PlaneHalf<TV>
        {
            A0 = TLanes.Subtract(a0, a2), A1 = TLanes.Add(a1, a2), A2 = TLanes.Subtract(a2, a1), A3 = TLanes.Subtract(a1, a3),
            B0 = TLanes.Subtract(b0, b2), B1 = TLanes.Add(b1, b2), B2 = TLanes.Subtract(b2, b1), B3 = TLanes.Subtract(b1, b3),
        };
    }

    /// <summary>The x transform of one row for two x positions: 0 = e0 − e1 and 1 = o0 + e1, or 2 = e1 − o0 and 3 = o0 − o1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TV, TLanes>(float* row, long rowLength, bool high, out TV first, out TV second)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        TV o0 = TLanes.Load(row + rowLength), e1 = TLanes.Load(row + 1);
        if (high)
        {
            first = TLanes.Subtract(e1, o0);
            second = TLanes.Subtract(o0, TLanes.Load(row + rowLength + 1));
        }
        else
        {
            first = TLanes.Subtract(TLanes.Load(row), e1);
            second = TLanes.Add(o0, e1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PlaneHalf<TV> Combine<TV, TLanes>(in PlaneHalf<TV> a, in PlaneHalf<TV> b, bool add)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV> => add
        ? new PlaneHalf<TV>
        {
            A0 = TLanes.Add(a.A0, b.A0), A1 = TLanes.Add(a.A1, b.A1), A2 = TLanes.Add(a.A2, b.A2), A3 = TLanes.Add(a.A3, b.A3),
            B0 = TLanes.Add(a.B0, b.B0), B1 = TLanes.Add(a.B1, b.B1), B2 = TLanes.Add(a.B2, b.B2), B3 = TLanes.Add(a.B3, b.B3),
        }
        : new PlaneHalf<TV>
        {
            A0 = TLanes.Subtract(a.A0, b.A0), A1 = TLanes.Subtract(a.A1, b.A1), A2 = TLanes.Subtract(a.A2, b.A2), A3 = TLanes.Subtract(a.A3, b.A3),
            B0 = TLanes.Subtract(a.B0, b.B0), B1 = TLanes.Subtract(a.B1, b.B1), B2 = TLanes.Subtract(a.B2, b.B2), B3 = TLanes.Subtract(a.B3, b.B3),
        };

    /// <summary>Stores a half plane at its z position: y position j, x position x (+1 for B) at <c>(4j + x) · positionStride</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TV, TLanes>(in PlaneHalf<TV> h, TV* values, long positionStride)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        values[0] = h.A0;
        values[positionStride] = h.B0;
        values[4 * positionStride] = h.A1;
        values[5 * positionStride] = h.B1;
        values[8 * positionStride] = h.A2;
        values[9 * positionStride] = h.B2;
        values[12 * positionStride] = h.A3;
        values[13 * positionStride] = h.B3;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply16<TV, TLanes>(float* w, TV* values, TV* products, long inChannels, long stride)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        TV a0 = TLanes.Zero, a1 = TLanes.Zero, a2 = TLanes.Zero, a3 = TLanes.Zero, a4 = TLanes.Zero, a5 = TLanes.Zero, a6 = TLanes.Zero, a7 = TLanes.Zero;
        TV a8 = TLanes.Zero, a9 = TLanes.Zero, a10 = TLanes.Zero, a11 = TLanes.Zero, a12 = TLanes.Zero, a13 = TLanes.Zero, a14 = TLanes.Zero, a15 = TLanes.Zero;
        for (long c = 0; c < inChannels; c++, w += stride)
        {
            var x = values[c];
            a0 = TLanes.MultiplyAddBroadcast(x, w, a0);
            a1 = TLanes.MultiplyAddBroadcast(x, w + 1, a1);
            a2 = TLanes.MultiplyAddBroadcast(x, w + 2, a2);
            a3 = TLanes.MultiplyAddBroadcast(x, w + 3, a3);
            a4 = TLanes.MultiplyAddBroadcast(x, w + 4, a4);
            a5 = TLanes.MultiplyAddBroadcast(x, w + 5, a5);
            a6 = TLanes.MultiplyAddBroadcast(x, w + 6, a6);
            a7 = TLanes.MultiplyAddBroadcast(x, w + 7, a7);
            a8 = TLanes.MultiplyAddBroadcast(x, w + 8, a8);
            a9 = TLanes.MultiplyAddBroadcast(x, w + 9, a9);
            a10 = TLanes.MultiplyAddBroadcast(x, w + 10, a10);
            a11 = TLanes.MultiplyAddBroadcast(x, w + 11, a11);
            a12 = TLanes.MultiplyAddBroadcast(x, w + 12, a12);
            a13 = TLanes.MultiplyAddBroadcast(x, w + 13, a13);
            a14 = TLanes.MultiplyAddBroadcast(x, w + 14, a14);
            a15 = TLanes.MultiplyAddBroadcast(x, w + 15, a15);
        }

        products[0] = a0;
        products[1] = a1;
        products[2] = a2;
        products[3] = a3;
        products[4] = a4;
        products[5] = a5;
        products[6] = a6;
        products[7] = a7;
        products[8] = a8;
        products[9] = a9;
        products[10] = a10;
        products[11] = a11;
        products[12] = a12;
        products[13] = a13;
        products[14] = a14;
        products[15] = a15;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply8<TV, TLanes>(float* w, TV* values, TV* products, long inChannels, long stride)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        TV a0 = TLanes.Zero, a1 = TLanes.Zero, a2 = TLanes.Zero, a3 = TLanes.Zero, a4 = TLanes.Zero, a5 = TLanes.Zero, a6 = TLanes.Zero, a7 = TLanes.Zero;
        for (long c = 0; c < inChannels; c++, w += stride)
        {
            var x = values[c];
            a0 = TLanes.MultiplyAddBroadcast(x, w, a0);
            a1 = TLanes.MultiplyAddBroadcast(x, w + 1, a1);
            a2 = TLanes.MultiplyAddBroadcast(x, w + 2, a2);
            a3 = TLanes.MultiplyAddBroadcast(x, w + 3, a3);
            a4 = TLanes.MultiplyAddBroadcast(x, w + 4, a4);
            a5 = TLanes.MultiplyAddBroadcast(x, w + 5, a5);
            a6 = TLanes.MultiplyAddBroadcast(x, w + 6, a6);
            a7 = TLanes.MultiplyAddBroadcast(x, w + 7, a7);
        }

        products[0] = a0;
        products[1] = a1;
        products[2] = a2;
        products[3] = a3;
        products[4] = a4;
        products[5] = a5;
        products[6] = a6;
        products[7] = a7;
    }

    /// <summary>Eight registers of one z plane for one half's two x positions: A = the lower x position, B = the higher; 0–3 = y position.</summary>
    private struct PlaneHalf<TV>
        where TV : unmanaged
    {
        public TV A0, A1, A2, A3, B0, B1, B2, B3;
    }
}
