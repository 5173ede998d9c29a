using Hermes.Operations;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Operations;

/// <summary>
/// The Winograd F(2×2×2, 3×3×3) convolution computes LibTorch's <c>conv3d</c> with padding 1: in float32 within 1e-6 of the
/// float64 result (closer than <c>conv3d</c>'s own float32), for channel counts ≡ 8 (mod 16), odd channel counts, batches,
/// non-cubic volumes, volumes two voxels thin (every tile on the border), both computation paths (blocked and slabs), both
/// register widths and any slab size; and the switch applies only where it should.
/// </summary>
public sealed class WinogradConvolutionTests
{
    /// <summary>The computation paths: blocked with 512-bit registers (where the CPU has AVX-512), blocked with 256-bit, slabs.</summary>
    public enum Path
    {
        Blocked,
        Blocked256,
        Slabs,
    }

    public static TheoryData<long[], int, Path> Shapes()
    {
        var data = new TheoryData<long[], int, Path>();
        foreach (var (shape, outChannels) in ConvolutionCases.WinogradShapes)
        {
            foreach (var path in Enum.GetValues<Path>())
            {
                data.Add(shape, outChannels, path);
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Float32AgreesWithFloat64ConvolutionMoreCloselyThanConv3d(long[] shape, int outChannels, Path path)
    {
        RequireSupport();
        using var scope = NewDisposeScope();
        var (x, w) = Inputs(shape, outChannels);
        var exact = nn.functional.conv3d(x.to(float64), w.to(float64), padding: [1, 1, 1]);
        var ours = path switch
        {
            Path.Blocked => WinogradBlockedConvolution.Convolve(x, w),
            Path.Blocked256 => WinogradBlockedConvolution.Convolve(x, w, allowWide: false),
            _ => WinogradConvolution.ConvolveInSlabs(x, w, WinogradConvolution.SlabBytes),
        };
        Assert.Equal(exact.shape, ours.shape);
        Assert.Equal(ScalarType.Float32, ours.dtype);
        var scale = exact.abs().max().item<double>();
        var error = (ours.to(float64) - exact).abs().max().item<double>();
        var libTorchError = (nn.functional.conv3d(x, w, padding: [1, 1, 1]).to(float64) - exact).abs().max().item<double>();
        Assert.True(error <= 1e-6 * scale, $"{path}: max |Winograd − f64| = {error:G3} (scale {scale:G3})");
        Assert.True(error <= 2 * libTorchError + (1e-7 * scale), $"{path}: Winograd error {error:G3} against conv3d's own float32 error {libTorchError:G3}");
    }

    [SkippableFact]
    public void ConvolveAgreesWithFloat64OnBothSidesOfTheBlockedPathsLimitForNonContiguousInput()
    {
        RequireSupport();
        using var scope = NewDisposeScope();

        // 96 · 128 input × output channels is past the blocked path's limit (Convolve runs slabs there), 40 · 24 within it.
        // Each layer through Convolve and through both paths directly, from a non-contiguous input.
        foreach (var (inChannels, outChannels) in new[] { (96, 128), (40, 24) })
        {
            var (x, w) = Inputs([1, inChannels, 4, 16, 4], outChannels);
            x = x.transpose(3, 4); // [1, C, 4, 16, 4] → [1, C, 4, 4, 16], not contiguous
            Assert.False(x.is_contiguous());
            var blocked = inChannels * outChannels <= WinogradBlockedConvolution.MaxChannelProduct;
            Assert.Equal(outChannels == 24, blocked);
            var exact = nn.functional.conv3d(x.to(float64), w.to(float64), padding: [1, 1, 1]);
            var scale = exact.abs().max().item<double>();
            foreach (var result in new[] { WinogradConvolution.Convolve(x, w), WinogradBlockedConvolution.Convolve(x, w), WinogradConvolution.ConvolveInSlabs(x, w, WinogradConvolution.SlabBytes) })
            {
                var error = (result.to(float64) - exact).abs().max().item<double>();
                Assert.True(error <= 1e-6 * scale, $"{inChannels}→{outChannels}: max |Δ| = {error:G3} (scale {scale:G3})");
            }
        }
    }

    [SkippableTheory]
    [InlineData(1)] // one tile row per slab
    [InlineData(4)] // a slab count that does not divide the 6 tile rows: 4 + 2
    [InlineData(6)] // one slab per batch item
    public void SlabsGiveTheWholeVolumesResult(int rowsPerSlab)
    {
        RequireSupport();
        using var scope = NewDisposeScope();
        var (x, w) = Inputs([2, 6, 4, 6, 16], 5); // 2 × 3 = 6 tile rows of 8 tiles per batch item
        long bytesPerRow = WinogradTransforms.Positions * (6 + 5) * 8 * sizeof(float);
        var whole = WinogradConvolution.ConvolveInSlabs(x, w, long.MaxValue / 2);
        var sliced = WinogradConvolution.ConvolveInSlabs(x, w, rowsPerSlab * bytesPerRow);
        var scale = whole.abs().max().item<float>();
        var error = (sliced - whole).abs().max().item<float>();
        Assert.True(error <= 1e-6 * scale, $"{rowsPerSlab} row(s) per slab: max |Δ| = {error:G3} (scale {scale:G3})");
    }

    [SkippableFact]
    public void AppliesOnlyToDenseThreeCubedInferenceConvolutionsOfFittingShape()
    {
        RequireSupport();
        using var scope = NewDisposeScope();
        var x = randn([1, 8, 4, 4, 16]);
        var w = randn([16, 8, 3, 3, 3]);
        using (WinogradConvolution.Use(Conv3dForwardMode.Winograd))
        {
            Assert.Equal(1, WinogradConvolution.MinChannels);
            Assert.True(WinogradConvolution.Applies(x, w, stride: 1, padding: 1, groups: 1)); // nothing requires grad
            Assert.False(WinogradConvolution.Applies(x, w, stride: 2, padding: 1, groups: 1));
            Assert.False(WinogradConvolution.Applies(x, w, stride: 1, padding: 0, groups: 1));
            Assert.False(WinogradConvolution.Applies(x, randn([8, 1, 3, 3, 3]), 1, 1, groups: 8));
            Assert.False(WinogradConvolution.Applies(x, randn([16, 8, 1, 1, 1]), 1, 0, 1));
            Assert.False(WinogradConvolution.Applies(x, randn([16, 8, 5, 5, 5]), 1, 2, 1));
            Assert.False(WinogradConvolution.Applies(x.to(float64), w.to(float64), 1, 1, 1));
            Assert.False(WinogradConvolution.Applies(randn([1, 8, 4, 4, 8]), w, 1, 1, 1));  // W not a multiple of 16
            Assert.False(WinogradConvolution.Applies(randn([1, 8, 5, 4, 16]), w, 1, 1, 1)); // odd D
            Assert.False(WinogradConvolution.Applies(randn([1, 8, 4, 3, 16]), w, 1, 1, 1)); // odd H
            Assert.False(WinogradConvolution.Applies(x, w.requires_grad_(true), 1, 1, 1)); // training: TrainingConvolution records it instead
            Assert.False(WinogradConvolution.Applies(x.requires_grad_(true), w.detach(), 1, 1, 1));
            using (no_grad())
            {
                Assert.True(WinogradConvolution.Applies(x, w, 1, 1, 1)); // inference, even with parameters that require grad
            }

            using (WinogradConvolution.Use(Conv3dForwardMode.LibTorch))
            {
                Assert.Null(WinogradConvolution.MinChannels);
                using (no_grad())
                {
                    Assert.False(WinogradConvolution.Applies(x, w, 1, 1, 1));
                }
            }

            Assert.Equal(1, WinogradConvolution.MinChannels); // the inner scope restored the outer override
        }

        var min = HermesRuntime.EnsureInitialized().WinogradMinChannels;
        Assert.Equal(min, WinogradConvolution.MinChannels);
        using (no_grad())
        {
            // The process-wide setting compares the narrower side of the layer with its threshold.
            Assert.Equal(min <= 8, WinogradConvolution.Applies(x, w, 1, 1, 1));
            Assert.Equal(min <= 64, WinogradConvolution.Applies(randn([1, 64, 2, 2, 16]), randn([64, 64, 3, 3, 3]), 1, 1, 1));
            Assert.Equal(min <= 16, WinogradConvolution.Applies(randn([1, 64, 2, 2, 16]), randn([16, 64, 3, 3, 3]), 1, 1, 1));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => WinogradConvolution.Use((Conv3dForwardMode)7));
    }

    [SkippableFact]
    public void BadInputIsRejectedWithTheShapes()
    {
        RequireSupport();
        using var scope = NewDisposeScope();
        var x = randn([1, 8, 4, 4, 16]);
        var e = Assert.Throws<ArgumentException>(() => WinogradConvolution.Convolve(x, randn([16, 4, 3, 3, 3])));
        Assert.Contains("[16, 4, 3, 3, 3]", e.Message, StringComparison.Ordinal);
        var odd = Assert.Throws<ArgumentException>(() => WinogradConvolution.Convolve(randn([1, 8, 4, 4, 20]), randn([16, 8, 3, 3, 3])));
        Assert.Contains("[1, 8, 4, 4, 20]", odd.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => WinogradConvolution.Convolve(x, randn([16, 8, 5, 5, 5])));
        Assert.Throws<ArgumentException>(() => WinogradConvolution.Convolve(x.to(float64), randn([16, 8, 3, 3, 3], dtype: float64)));
    }

    [Theory]
    [InlineData(Conv3dForwardMode.Auto, true, "AVX2", 16)]                // the guard's cap on an AVX-512 CPU
    [InlineData(Conv3dForwardMode.Auto, true, null, 16)]                  // uncapped AVX-512
    [InlineData(Conv3dForwardMode.Auto, true, "AVX512_CORE", 16)]         // a user's AVX-512 cap
    [InlineData(Conv3dForwardMode.Auto, false, null, 16)]                 // an AVX2-only CPU: oneDNN's AVX2 kernels
    [InlineData(Conv3dForwardMode.LibTorch, false, null, null)]
    [InlineData(Conv3dForwardMode.Winograd, true, null, 1)]
    public void AutoUsesWinogradWhereItIsFasterThanOneDnn(Conv3dForwardMode mode, bool avx512, string? cap, int? expected)
    {
        var cpu = new CpuInfo(System.Runtime.InteropServices.Architecture.X64, "AuthenticAMD", true, avx512);
        Assert.Equal(expected, HermesRuntime.WinogradMinChannels(mode, cpu, cap));
        var noAvx2 = new CpuInfo(System.Runtime.InteropServices.Architecture.X64, "GenuineIntel", false, false);
        Assert.Null(HermesRuntime.WinogradMinChannels(mode, noAvx2, cap));
        var arm = new CpuInfo(System.Runtime.InteropServices.Architecture.Arm64, string.Empty, false, false);
        Assert.Null(HermesRuntime.WinogradMinChannels(mode, arm, cap));
    }

    [Theory]
    [InlineData("winograd", Conv3dForwardMode.Winograd)]
    [InlineData(" LibTorch ", Conv3dForwardMode.LibTorch)]
    [InlineData("auto", Conv3dForwardMode.Auto)]
    [InlineData(null, Conv3dForwardMode.Auto)]
    public void TheModeDefaultsFromTheEnvironment(string? value, Conv3dForwardMode expected)
    {
        HermesRuntime.EnsureInitialized(); // before the variable holds a bad value: initialisation would reject it
        var before = Environment.GetEnvironmentVariable(HermesRuntimeOptions.Conv3dForwardVariable);
        try
        {
            Environment.SetEnvironmentVariable(HermesRuntimeOptions.Conv3dForwardVariable, value);
            Assert.Equal(expected, new HermesRuntimeOptions().Conv3dForward);
            Environment.SetEnvironmentVariable(HermesRuntimeOptions.Conv3dForwardVariable, "fast");
            var e = Assert.Throws<InvalidOperationException>(() => HermesRuntimeOptions.Conv3dForwardFromEnvironment());
            Assert.Contains("HERMES_CONV3D_FORWARD='fast'", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => new HermesRuntimeOptions { Conv3dForward = (Conv3dForwardMode)9 }.Validate());
        }
        finally
        {
            Environment.SetEnvironmentVariable(HermesRuntimeOptions.Conv3dForwardVariable, before);
        }
    }

    private static void RequireSupport()
    {
        HermesRuntime.EnsureInitialized();
        Skip.IfNot(WinogradConvolution.IsSupported, "The Winograd convolution needs an x64 CPU with AVX2 and FMA.");
    }

    private static (Tensor X, Tensor W) Inputs(long[] shape, int outChannels)
    {
        var gen = new Generator(17);
        var x = randn(shape, generator: gen);
        var w = randn([outChannels, shape[1], 3, 3, 3], generator: gen) / Math.Sqrt(shape[1] * 27);
        return (x, w);
    }
}
