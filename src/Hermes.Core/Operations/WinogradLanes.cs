using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hermes.Operations;

/// <summary>
/// One SIMD register width for the Winograd tile transforms (<see cref="WinogradTransforms"/>): the transforms are written
/// once against this interface and the JIT specialises them per width (the lanes are structs), so there is no dispatch
/// cost in the inner loops.
/// </summary>
/// <typeparam name="TVector">The register type.</typeparam>
internal unsafe interface IWinogradLanes<TVector>
    where TVector : unmanaged
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVector Zero { get; }

    /// <summary>Loads <see cref="Count"/> floats from any address.</summary>
    static abstract TVector Load(float* source);

    /// <summary>Stores <see cref="Count"/> floats to any address.</summary>
    static abstract void Store(TVector value, float* destination);

    /// <summary>Stores to a register-aligned address, bypassing the cache (the transformed tiles are read back by the GEMM only).</summary>
    static abstract void StoreNonTemporal(TVector value, float* destination);

    /// <summary>Stores <c>destination[2i] = even[i]</c>, <c>destination[2i + 1] = odd[i]</c> (2 · <see cref="Count"/> floats).</summary>
    static abstract void StoreInterleaved(TVector even, TVector odd, float* destination);

    /// <summary>
    /// Splits the 2 · <see cref="Count"/> floats <c>first, second</c> into their even-indexed and odd-indexed elements, in order.
    /// </summary>
    static abstract void Deinterleave(TVector first, TVector second, out TVector evens, out TVector odds);

    /// <summary>Lane-wise <c>accumulator + x · *scalar</c> in one fused multiply-add.</summary>
    static abstract TVector MultiplyAddBroadcast(TVector x, float* scalar, TVector accumulator);

    /// <summary>Lane-wise a + b.</summary>
    static abstract TVector Add(TVector a, TVector b);

    /// <summary>Lane-wise a − b.</summary>
    static abstract TVector Subtract(TVector a, TVector b);
}

/// <summary>256-bit lanes (AVX): 8 floats.</summary>
internal readonly unsafe struct WinogradLanes256 : IWinogradLanes<Vector256<float>>
{
    public static int Count => 8;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    public static void Store(Vector256<float> value, float* destination) => Vector256.Store(value, destination);

    public static void StoreNonTemporal(Vector256<float> value, float* destination) => Avx.StoreAlignedNonTemporal(destination, value);

    public static void StoreInterleaved(Vector256<float> even, Vector256<float> odd, float* destination)
    {
        var low = Avx.UnpackLow(even, odd); // e0 o0 e1 o1 | e4 o4 e5 o5
        var high = Avx.UnpackHigh(even, odd); // e2 o2 e3 o3 | e6 o6 e7 o7
        Vector256.Store(Avx.Permute2x128(low, high, 0x20), destination);
        Vector256.Store(Avx.Permute2x128(low, high, 0x31), destination + 8);
    }

    public static void Deinterleave(Vector256<float> first, Vector256<float> second, out Vector256<float> evens, out Vector256<float> odds)
    {
        // Within 128-bit lanes: f0 f2 s0 s2 | f4 f6 s4 s6, then the 64-bit pairs reordered to f0 f2 f4 f6 s0 s2 s4 s6.
        evens = Avx2.Permute4x64(Avx.Shuffle(first, second, 0x88).AsDouble(), 0xD8).AsSingle();
        odds = Avx2.Permute4x64(Avx.Shuffle(first, second, 0xDD).AsDouble(), 0xD8).AsSingle();
    }

    public static Vector256<float> MultiplyAddBroadcast(Vector256<float> x, float* scalar, Vector256<float> accumulator) =>
        Fma.MultiplyAdd(x, Vector256.Create(*scalar), accumulator);

    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
}

/// <summary>512-bit lanes (AVX-512F): 16 floats, one cache line per store.</summary>
internal readonly unsafe struct WinogradLanes512 : IWinogradLanes<Vector512<float>>
{
    public static int Count => 16;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    public static void Store(Vector512<float> value, float* destination) => Vector512.Store(value, destination);

    public static void StoreNonTemporal(Vector512<float> value, float* destination) => Avx512F.StoreAlignedNonTemporal(destination, value);

    public static void StoreInterleaved(Vector512<float> even, Vector512<float> odd, float* destination)
    {
        // Indices 0–15 pick from even, 16–31 from odd.
        var first = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var second = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        Vector512.Store(Avx512F.PermuteVar16x32x2(even, first, odd), destination);
        Vector512.Store(Avx512F.PermuteVar16x32x2(even, second, odd), destination + 16);
    }

    public static void Deinterleave(Vector512<float> first, Vector512<float> second, out Vector512<float> evens, out Vector512<float> odds)
    {
        // Indices 0–15 pick from first, 16–31 from second.
        evens = Avx512F.PermuteVar16x32x2(first, Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), second);
        odds = Avx512F.PermuteVar16x32x2(first, Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), second);
    }

    public static Vector512<float> MultiplyAddBroadcast(Vector512<float> x, float* scalar, Vector512<float> accumulator) =>
        Avx512F.FusedMultiplyAdd(x, Vector512.Create(*scalar), accumulator);

    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
}
