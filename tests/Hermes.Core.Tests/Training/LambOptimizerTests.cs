using Hermes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Training;

public sealed class LambOptimizerTests
{
    // Two tensors: a [3] vector and a [2, 2] matrix (float64, so the comparison can be tight).
    private static readonly double[][] InitialValues = [[0.5, -1.0, 2.0], [0.3, 0.0, -0.7, 1.1]];
    private static readonly long[][] Shapes = [[3], [2, 2]];

    // Gradients of three steps; the first two have a global norm > 1 (clipped), the third < 1 (not clipped).
    private static readonly double[][][] Gradients =
    [
        [[0.9, -1.2, 0.4], [0.2, 0.8, -0.5, 0.1]],
        [[-0.3, 2.0, 1.5], [0.0, -0.4, 0.6, 0.9]],
        [[0.05, -0.02, 0.1], [0.01, 0.03, -0.04, 0.02]],
    ];

    [Fact]
    public void ThreeStepsMatchTheFormulasIncludingClippingAndTrustRatio()
    {
        var options = new LambOptions { LearningRate = 0.01, WeightDecay = 0.1 };
        var parameters = MakeParameters(ScalarType.Float64);
        using var lamb = new LambOptimizer(parameters, options);
        var reference = new ReferenceLamb(InitialValues, options);

        for (var s = 0; s < Gradients.Length; s++)
        {
            SetGradients(parameters, Gradients[s]);
            lamb.Step();
            var expectedNorm = reference.Step(Gradients[s], options.LearningRate);
            Assert.Equal(expectedNorm, lamb.LastGradientNorm, 12);
            AssertClose(reference.Values, parameters, 1e-12);
        }

        Assert.Equal(3, lamb.StepCount);
        Assert.True(reference.ClippedSteps == 2, $"expected the first two steps to be clipped, got {reference.ClippedSteps}");
    }

    [Fact]
    public void Float32MatchesTheDoublePrecisionFormulas()
    {
        var options = new LambOptions();
        var parameters = MakeParameters(ScalarType.Float32);
        using var lamb = new LambOptimizer(parameters, options);
        var reference = new ReferenceLamb(InitialValues, options);
        foreach (var g in Gradients)
        {
            SetGradients(parameters, g);
            lamb.Step();
            reference.Step(g, options.LearningRate);
        }

        AssertClose(reference.Values, parameters, 1e-6);
    }

    [Fact]
    public void ZeroWeightNormUsesTrustRatioOne()
    {
        // p = 0 → ‖p‖ = 0 → r = 1, so p ← −lr·u with u = m̂/(√v̂ + ε) (wd·p = 0).
        var p = new Parameter(zeros(3, ScalarType.Float64));
        using var lamb = new LambOptimizer([p], new LambOptions { LearningRate = 0.1, WeightDecay = 0.5 });
        double[] g = [0.2, -0.4, 0.1]; // norm < 1: no clipping
        p.grad = tensor(g, ScalarType.Float64);
        lamb.Step();
        for (var i = 0; i < 3; i++)
        {
            double m = 0.1 * g[i], v = 0.001 * g[i] * g[i];
            var u = (m / 0.1) / (Math.Sqrt(v / 0.001) + 1e-5);
            Assert.Equal(-0.1 * u, p[i].item<double>(), 14);
        }
    }

    [Fact]
    public void ZeroUpdateNormUsesTrustRatioOneAndLeavesWeightsFinite()
    {
        // AlwaysAdapt with wd = 0 and a zero gradient: u = 0 → ‖u‖ = 0 → r = 1, p unchanged (no 0/0).
        double[] values = [1.0, -2.0];
        var p = new Parameter(tensor(values, ScalarType.Float64));
        using var lamb = new LambOptimizer([p], new LambOptions { WeightDecay = 0, AlwaysAdapt = true });
        p.grad = zeros(2, ScalarType.Float64);
        lamb.Step();
        Assert.Equal(values, p.data<double>().ToArray());
    }

    [Fact]
    public void WithoutWeightDecayTheTrustRatioIsOne()
    {
        // Apex default: wd = 0 → no adaptation, the update is lr·m̂/(√v̂ + ε) even though ‖p‖/‖u‖ ≠ 1.
        double[] values = [3.0, 4.0];
        double[] g = [0.3, -0.1];
        var p = new Parameter(tensor(values, ScalarType.Float64));
        using var lamb = new LambOptimizer([p], new LambOptions { LearningRate = 0.01, WeightDecay = 0 });
        p.grad = tensor(g, ScalarType.Float64);
        lamb.Step();
        for (var i = 0; i < 2; i++)
        {
            var u = g[i] / (Math.Abs(g[i]) + 1e-5); // m̂ = g, √v̂ = |g| after one step
            Assert.Equal(values[i] - (0.01 * u), p[i].item<double>(), 14);
        }
    }

    [Fact]
    public void ParametersWithoutGradientAreSkippedButTheStepCountAdvances()
    {
        var a = new Parameter(tensor(new[] { 1.0, 2.0 }, ScalarType.Float64));
        var b = new Parameter(tensor(new[] { 3.0 }, ScalarType.Float64));
        using var lamb = new LambOptimizer([a, b], new LambOptions { LearningRate = 0.01 });
        a.grad = tensor(new[] { 0.1, 0.1 }, ScalarType.Float64);
        lamb.Step();
        Assert.Equal(3.0, b.item<double>());
        Assert.NotEqual(1.0, a[0].item<double>());
        var state = lamb.StateDict();
        Assert.Equal(0.0, state["exp_avg.1"].abs().sum().item<double>());
        Assert.Equal(1L, state["step"].item<long>());
        foreach (var t in state.Values)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void StateRoundTripContinuesExactly()
    {
        var options = new LambOptions { LearningRate = 0.02, WeightDecay = 0.01 };
        var straight = MakeParameters(ScalarType.Float32);
        using var a = new LambOptimizer(straight, options);
        foreach (var g in Gradients)
        {
            SetGradients(straight, g);
            a.Step();
        }

        var first = MakeParameters(ScalarType.Float32);
        using var b = new LambOptimizer(first, options);
        SetGradients(first, Gradients[0]);
        b.Step();
        var state = b.StateDict();

        var resumed = first.Select(p => new Parameter(p.detach().clone())).ToArray();
        using var c = new LambOptimizer(resumed, options);
        c.LoadStateDict(state);
        Assert.Equal(1, c.StepCount);
        for (var s = 1; s < Gradients.Length; s++)
        {
            SetGradients(resumed, Gradients[s]);
            c.Step();
        }

        for (var i = 0; i < straight.Length; i++)
        {
            Assert.True(straight[i].eq(resumed[i]).all().item<bool>(), $"parameter {i} differs after resuming");
        }
    }

    [Fact]
    public void LoadingStateOfOtherShapesFailsClearly()
    {
        using var lamb = new LambOptimizer(MakeParameters(ScalarType.Float32));
        var state = new Dictionary<string, Tensor>
        {
            ["step"] = tensor(1L), ["exp_avg.0"] = zeros(4), ["exp_avg_sq.0"] = zeros(3),
        };
        var e = Assert.Throws<InvalidDataException>(() => lamb.LoadStateDict(state));
        Assert.Contains("exp_avg.0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LambOptions { Beta1 = 1.0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LambOptions { Epsilon = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LambOptions { MaxGradNorm = 0 }.Validate());
    }

    internal static Parameter[] MakeParameters(ScalarType dtype) =>
        InitialValues.Select((v, i) => new Parameter(tensor(v, dtype).reshape(Shapes[i]))).ToArray();

    internal static void SetGradients(Parameter[] parameters, double[][] gradients)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].grad?.Dispose();
            parameters[i].grad = tensor(gradients[i], parameters[i].dtype).reshape(Shapes[i]);
        }
    }

    private static void AssertClose(double[][] expected, Parameter[] actual, double tolerance)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            using var flat = actual[i].detach().to_type(ScalarType.Float64).flatten();
            var values = flat.data<double>().ToArray();
            for (var j = 0; j < expected[i].Length; j++)
            {
                Assert.True(Math.Abs(expected[i][j] - values[j]) <= tolerance * Math.Max(1, Math.Abs(expected[i][j])),
                    $"tensor {i}[{j}]: expected {expected[i][j]:R}, got {values[j]:R}");
            }
        }
    }

    /// <summary>LAMB written out scalar by scalar in double precision from the formulas of reference §10.</summary>
    private sealed class ReferenceLamb(double[][] initial, LambOptions o)
    {
        private readonly double[][] m = initial.Select(v => new double[v.Length]).ToArray();
        private readonly double[][] v = initial.Select(v => new double[v.Length]).ToArray();
        private int t;

        public double[][] Values { get; } = initial.Select(x => x.ToArray()).ToArray();

        public int ClippedSteps { get; private set; }

        public double Step(double[][] g, double lr)
        {
            t++;
            // 1. global gradient norm and clipping
            var norm = Math.Sqrt(g.Sum(x => x.Sum(y => y * y)));
            var scale = norm > o.MaxGradNorm ? o.MaxGradNorm / norm : 1.0;
            if (scale < 1)
            {
                ClippedSteps++;
            }

            for (var i = 0; i < Values.Length; i++)
            {
                var p = Values[i];
                var u = new double[p.Length];
                for (var j = 0; j < p.Length; j++)
                {
                    var gj = g[i][j] * scale;
                    m[i][j] = (o.Beta1 * m[i][j]) + ((1 - o.Beta1) * gj);          // 2. moments
                    v[i][j] = (o.Beta2 * v[i][j]) + ((1 - o.Beta2) * gj * gj);
                    var mHat = m[i][j] / (1 - Math.Pow(o.Beta1, t));                // 3. bias correction
                    var vHat = v[i][j] / (1 - Math.Pow(o.Beta2, t));
                    u[j] = (mHat / (Math.Sqrt(vHat) + o.Epsilon)) + (o.WeightDecay * p[j]); // 4. decoupled decay
                }

                var pNorm = Math.Sqrt(p.Sum(x => x * x));                           // 5. trust ratio
                var uNorm = Math.Sqrt(u.Sum(x => x * x));
                var r = pNorm > 0 && uNorm > 0 ? pNorm / uNorm : 1.0;
                for (var j = 0; j < p.Length; j++)
                {
                    p[j] -= lr * r * u[j];                                          // 6. update
                }
            }

            return norm;
        }
    }
}
