using Hermes.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Inference;

public class SlidingWindowTests
{
    /// <summary>Logits that are a known smooth function of the global voxel coordinate (and of the volume index).</summary>
    private static Tensor Field(int volume, long[] z, long[] y, long[] x, int tasks)
    {
        using var scope = NewDisposeScope();
        var zz = tensor(z, ScalarType.Float64).reshape(-1, 1, 1);
        var yy = tensor(y, ScalarType.Float64).reshape(1, -1, 1);
        var xx = tensor(x, ScalarType.Float64).reshape(1, 1, -1);
        var channels = Enumerable.Range(0, tasks).Select(t =>
            ((zz * (0.31 + (0.1 * t))).sin() * 2) + ((yy * 0.17).cos() * (1 + volume)) + (xx * 0.05) - 1.5 + (0.2 * t)).ToArray();
        return stack(channels, 0).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    private static long[] Range(long start, long count) => Enumerable.Range(0, (int)count).Select(i => start + i).ToArray();

    private sealed class PositionalModel(int tasks) : IWindowPredictor
    {
        public int Calls { get; private set; }

        public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements)
        {
            Calls++;
            var (d, h, w) = (windows.shape[2], windows.shape[3], windows.shape[4]);
            return stack(placements.Select(p => Field(p.Volume, Range(p.Z, d), Range(p.Y, h), Range(p.X, w), tasks)), 0);
        }
    }

    private sealed class Collector<T> : IProgress<T>
    {
        public List<T> Reports { get; } = [];

        public void Report(T value) => Reports.Add(value);
    }

    [Theory]
    [InlineData(37, 50, 29, 16, 20, 12, 0.5, 3, WindowWeighting.Gaussian)] // sizes not multiples of the step
    [InlineData(37, 50, 29, 16, 20, 12, 0.25, 1, WindowWeighting.Uniform)]
    [InlineData(10, 50, 7, 16, 20, 12, 0.5, 4, WindowWeighting.Gaussian)] // two axes smaller than the window
    [InlineData(9, 11, 5, 16, 20, 12, 0.5, 2, WindowWeighting.Gaussian)] // the whole volume smaller than the window
    [InlineData(16, 20, 12, 16, 20, 12, 0.5, 1, WindowWeighting.Gaussian)] // exactly one window
    public void StitchedProbabilitiesEqualTheWholeVolumeComputation(int d, int h, int w, int wd, int wh, int ww, double overlap, int perBatch, WindowWeighting weighting)
    {
        const int tasks = 3;
        var inferer = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = (wd, wh, ww), Overlap = overlap, WindowsPerBatch = perBatch, Weighting = weighting });
        using var input = randn(2, d, h, w);
        var model = new PositionalModel(tasks);
        var progress = new Collector<SlidingWindowProgress>();

        using var stitched = inferer.Infer(input, model, progress);

        using var expected = Field(0, Range(0, d), Range(0, h), Range(0, w), tasks).sigmoid();
        Assert.Equal(new long[] { tasks, d, h, w }, stitched.shape);
        Assert.Equal(ScalarType.Float32, stitched.dtype);
        var maxError = (stitched - expected).abs().max().item<float>();
        Assert.True(maxError < 1e-5, $"max |stitched − whole volume| = {maxError}");
        var windows = WindowGrid.Starts(d, wd, overlap).Length * WindowGrid.Starts(h, wh, overlap).Length * WindowGrid.Starts(w, ww, overlap).Length;
        Assert.Equal(windows, progress.Reports[^1].WindowsDone);
        Assert.Equal(windows, progress.Reports[^1].WindowsTotal);
        Assert.Equal((windows + perBatch - 1) / perBatch, model.Calls);
    }

    [Fact]
    public void BatchedVolumesAreStitchedIndependently()
    {
        var inferer = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = (8, 8, 8), WindowsPerBatch = 5 });
        using var input = zeros([2, 1, 13, 21, 10]);

        using var stitched = inferer.Infer(input, new PositionalModel(2));

        Assert.Equal(new long[] { 2, 2, 13, 21, 10 }, stitched.shape);
        for (var b = 0; b < 2; b++)
        {
            using var expected = Field(b, Range(0, 13), Range(0, 21), Range(0, 10), 2).sigmoid();
            Assert.True((stitched[b] - expected).abs().max().item<float>() < 1e-5);
        }
    }

    [Fact]
    public void PointwiseModelMatchesTheModelOnTheWholeVolume()
    {
        // A translation-equivariant model (per-voxel mix of the input channels) sees the same values in every window.
        Tensor Model(Tensor x) => cat([x.narrow(1, 0, 1) * 2 - x.narrow(1, 1, 1), x.narrow(1, 1, 1).tanh() * 3], 1);
        var inferer = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = (12, 12, 12), Overlap = 0.5, WindowsPerBatch = 2 });
        using var input = randn(2, 30, 17, 25);

        using var stitched = inferer.Infer(input, Model);

        using var expected = Model(input.unsqueeze(0)).squeeze(0).sigmoid();
        Assert.True((stitched - expected).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void MirroringWithAFlipEquivariantModelIsExact()
    {
        // conv3d with a kernel symmetric under every flip commutes with flips (zero padding is symmetric too).
        using var k0 = randn([2, 1, 3, 3, 3], ScalarType.Float64);
        using var kernel = (k0 + k0.flip(2) + k0.flip(3) + k0.flip(4) + k0.flip(2, 3) + k0.flip(2, 4) + k0.flip(3, 4) + k0.flip(2, 3, 4)).to(ScalarType.Float32) / 8;
        Tensor Model(Tensor x) => nn.functional.conv3d(x, kernel, padding: [1, 1, 1]);
        var window = (10, 12, 9);
        using var input = randn(1, 23, 19, 20);
        var plain = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = window });
        var mirrored = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = window, MirrorAxes = [0, 1, 2] });
        var calls = 0;

        using var a = plain.Infer(input, Model);
        using var b = mirrored.Infer(input, x => { calls++; return Model(x); });

        Assert.True((a - b).abs().max().item<float>() < 1e-5);
        var windows = WindowGrid.Starts(23, 10, 0.5).Length * WindowGrid.Starts(19, 12, 0.5).Length * WindowGrid.Starts(20, 9, 0.5).Length;
        Assert.Equal(8 * windows, calls);
    }

    [Fact]
    public void MirroringFlipsThePredictionBack()
    {
        // A model that ignores its input and returns the window-local x coordinate: the mirrored pass, flipped back,
        // gives the reversed ramp, so the average is (σ(x) + σ(w − 1 − x)) / 2.
        const int w = 7;
        Tensor Model(Tensor x) => arange(w, ScalarType.Float32).reshape(1, 1, 1, 1, w).expand(x.shape[0], 1, x.shape[2], x.shape[3], w).contiguous();
        var inferer = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = (4, 5, w), MirrorAxes = [2] });
        using var input = zeros(1, 4, 5, w);

        using var result = inferer.Infer(input, Model);

        using var x = arange(w, ScalarType.Float32);
        using var expected = ((x.sigmoid() + (w - 1 - x).sigmoid()) / 2).reshape(1, 1, 1, w).expand(1, 4, 5, w);
        Assert.True((result - expected).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void CancellationStopsBeforeTheNextBatch()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var inferer = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = (8, 8, 8), Overlap = 0.5 });
        using var input = zeros(1, 32, 32, 32);

        Assert.Throws<OperationCanceledException>(() => inferer.Infer(
            input,
            x =>
            {
                if (++calls == 2)
                {
                    cts.Cancel();
                }

                return x;
            },
            cancellationToken: cts.Token));

        Assert.Equal(2, calls); // of 7 × 7 × 7 = 343 windows
    }

    [Fact]
    public void WindowStartsCoverEveryVoxelWithTheLastWindowFlush()
    {
        Assert.Equal(new[] { 0, 57, 115, 172 }, WindowGrid.Starts(300, 128, 0.5));
        Assert.Equal(new[] { 0, 64 }, WindowGrid.Starts(192, 128, 0.5));
        Assert.Equal(new[] { 0 }, WindowGrid.Starts(100, 128, 0.5));
        foreach (var window in new[] { 1, 5, 16, 128 })
        {
            foreach (var overlap in new[] { 0.0, 0.25, 0.5, 0.9 })
            {
                for (var size = 1; size < 400; size += 7)
                {
                    var starts = WindowGrid.Starts(size, window, overlap);
                    Assert.Equal(0, starts[0]);
                    Assert.Equal(Math.Max(0, size - window), starts[^1]);
                    for (var i = 1; i < starts.Length; i++)
                    {
                        var gap = starts[i] - starts[i - 1];
                        Assert.InRange(gap, 1, (int)Math.Ceiling(Math.Max(1, window * (1 - overlap))));
                    }
                }
            }
        }
    }

    [Fact]
    public void ReferenceStartsFollowTheSpecification()
    {
        Assert.Equal(new[] { 0, 64, 128, 172 }, WindowGrid.ReferenceStarts(300, 128, 0.5));
        Assert.Equal(new[] { 0 }, WindowGrid.ReferenceStarts(128, 128, 0.5)); // 0 twice in the reference (§14.16)
        Assert.Equal(new[] { 0, 64 }, WindowGrid.ReferenceStarts(192, 128, 0.5)); // 0, 64, then 128 → 64
        Assert.Equal(new[] { 0, 64, 72 }, WindowGrid.ReferenceStarts(200, 128, 0.5));
    }

    [Fact]
    public void ReferenceStitchingIsTheUniformAverageOverTheReferenceWindows()
    {
        // A model returning a different constant per window: the stitched value of a voxel is the mean of the
        // sigmoids of the windows (reference starts) that cover it.
        var options = new SlidingWindowOptions { WindowSize = (8, 6, 6), StartPolicy = WindowStartPolicy.Reference, Weighting = WindowWeighting.Uniform };
        var inferer = new SlidingWindowInferer(options);
        using var input = zeros(1, 20, 6, 6);
        static float Value(WindowPlacement p) => (p.Z * 0.37f) - 1;

        using var result = inferer.Infer(input, new ConstantPerWindow(Value));

        var starts = WindowGrid.ReferenceStarts(20, 8, 0.5); // 0, 4, 8, 12
        Assert.Equal(new[] { 0, 4, 8, 12 }, starts);
        for (var z = 0; z < 20; z++)
        {
            var covering = starts.Where(s => s <= z && z < s + 8).Select(s => 1 / (1 + Math.Exp(-Value(new WindowPlacement(0, s, 0, 0))))).ToArray();
            Assert.Equal(covering.Average(), result[0, z, 3, 2].item<float>(), 5);
        }
    }

    private sealed class ConstantPerWindow(Func<WindowPlacement, float> value) : IWindowPredictor
    {
        public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements) =>
            stack(placements.Select(p => full(new long[] { 1, windows.shape[2], windows.shape[3], windows.shape[4] }, value(p))), 0);
    }

    [Fact]
    public void GaussianImportanceMapIsCentredSymmetricAndHasTheConfiguredSigma()
    {
        using var map = ImportanceMap.Create((33, 17, 25), WindowWeighting.Gaussian, 0.125);

        Assert.Equal(1.0f, map[16, 8, 12].item<float>(), 6);
        Assert.Equal(1.0f, map.max().item<float>(), 6);
        // One σ = 33/8 voxels from the centre along z (between samples): compare with the analytic Gaussian at integer offsets.
        Assert.Equal(Math.Exp(-(4.0 * 4.0) / (2 * Math.Pow(33 / 8.0, 2))), map[12, 8, 12].item<float>(), 5);
        Assert.Equal(Math.Exp(-(3.0 * 3.0) / (2 * Math.Pow(25 / 8.0, 2))), map[16, 8, 15].item<float>(), 5);
        Assert.Equal(0.0f, (map - map.flip(0, 1, 2)).abs().max().item<float>());
        using var uniform = ImportanceMap.Create((3, 4, 5), WindowWeighting.Uniform);
        Assert.Equal(60.0f, uniform.sum().item<float>());
    }

    [Fact]
    public void InvalidOptionsAndModelOutputsAreRejectedWithTheirNames()
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingWindowInferer(new SlidingWindowOptions { Overlap = 1.0 }));
        Assert.Contains("Overlap", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingWindowInferer(new SlidingWindowOptions { MirrorAxes = [3] }));
        Assert.Contains("MirrorAxes", e2.Message, StringComparison.Ordinal);

        var inferer = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = (4, 4, 4) });
        using var input = zeros(1, 6, 6, 6);
        var e3 = Assert.Throws<ArgumentException>(() => inferer.Infer(input, x => x.narrow(2, 0, 2)));
        Assert.Contains("[N, T, d, h, w]", e3.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => inferer.Infer(zeros(6, 6, 6), x => x));
    }
}
