using Hermes.Abstractions;
using Hermes.Priors.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Tests;

/// <summary>The Hermes loss terms: null columns carry no loss or gradient, Dice's adaptive α/β, modality CE ignoring −1, weighting.</summary>
public sealed class LossTermTests
{
    private static LossInput Input(Tensor logits, Tensor labels, Tensor tasks, Tensor? modLogits = null, Tensor? mods = null,
        params Tensor[] aux) => new(logits, labels, tasks, modLogits, mods, aux);

    [Fact]
    public void NullColumnsCarryNoLossAndNoGradient()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var logits = randn([2, 3, 4, 4, 4]).requires_grad_();
        var labels = randint(0, 2, [2, 3, 4, 4, 4]).to_type(ScalarType.Int8);
        var tasks = tensor(new long[] { 0, 1, -1, 2, -1, -1 }, [2, 3]);
        foreach (ILossTerm term in new ILossTerm[] { new MaskedBinaryCrossEntropyLoss(6), new AdaptiveBinaryDiceLoss(6) })
        {
            logits.grad?.zero_();
            var value = term.Compute(Input(logits, labels, tasks));
            value.backward();
            var grad = logits.grad!;
            Assert.Equal(0f, grad[0, 2].abs().max().item<float>());
            Assert.Equal(0f, grad[1, 1].abs().max().item<float>());
            Assert.True(grad[0, 0].abs().max().item<float>() > 0, $"{term.Name}: a real column must receive gradient.");

            // Changing a null column's logits leaves the loss unchanged.
            using var noGrad = no_grad();
            var changed = logits.detach().clone();
            changed[1, 2] = full([4, 4, 4], 9f);
            Assert.Equal(value.item<float>(), term.Compute(Input(changed, labels, tasks)).item<float>());
        }
    }

    [Fact]
    public void BceIsTheMeanOverValidPairsOfPerPairVoxelMeans()
    {
        using var scope = NewDisposeScope();
        var logits = zeros([1, 2, 2, 2, 2]);
        logits[0, 1] = full([2, 2, 2], 2f);
        var labels = ones([1, 2, 2, 2, 2], ScalarType.Int8);
        var value = new MaskedBinaryCrossEntropyLoss(6).Compute(Input(logits, labels, tensor(new long[] { 0, 1 }, [1, 2]))).item<float>();
        var expected = (Math.Log(2) + Math.Log(1 + Math.Exp(-2))) / 2;
        Assert.Equal(expected, value, 1e-6);
    }

    [Fact]
    public void DiceOfAnEmptyTargetIsOneWithZeroGradient()
    {
        using var scope = NewDisposeScope();
        var logits = randn([1, 1, 4, 4, 4]).requires_grad_();
        var labels = zeros([1, 1, 4, 4, 4], ScalarType.Int8);
        var value = new AdaptiveBinaryDiceLoss(6).Compute(Input(logits, labels, tensor(new long[] { 0 }, [1, 1])));
        value.backward();
        Assert.Equal(1.0, value.item<float>(), 1e-6);
        Assert.Equal(0f, logits.grad!.abs().max().item<float>());
    }

    [Fact]
    public void DiceUsesClampedAdaptiveAlpha()
    {
        // p = sigmoid(0) = 0.5 everywhere; g = 1 on 2 of 8 voxels: TP = 1, FP = 3, FN = 1 → α = 0.75, β = 0.25.
        using var scope = NewDisposeScope();
        var logits = zeros([1, 1, 2, 2, 2]);
        var labels = zeros([1, 1, 2, 2, 2], ScalarType.Int8);
        labels[0, 0, 0, 0] = 1;
        var value = new AdaptiveBinaryDiceLoss(6).Compute(Input(logits, labels, tensor(new long[] { 0 }, [1, 1]))).item<float>();
        var alpha = 3 / (4 + 1e-6);
        var expected = 1 - (1 / (1 + alpha * 3 + (1 - alpha) * 1 + 1e-6));
        Assert.Equal(expected, value, 1e-6);
    }

    [Fact]
    public void ModalityCrossEntropyIgnoresUnknownAndIsZeroWhenAllUnknown()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 2, 0, 0, 1 }, [2, 2]).requires_grad_();
        var term = new ModalityCrossEntropyLoss();
        var dummy = zeros([2, 1, 2, 2, 2]);
        var tasks = zeros([2, 1], ScalarType.Int64);
        var one = term.Compute(Input(dummy, dummy, tasks, logits, tensor(new long[] { 0, -1 }, [2, 1]))).item<float>();
        Assert.Equal(Math.Log(1 + Math.Exp(-2)), one, 1e-6);
        var none = term.Compute(Input(dummy, dummy, tasks, logits, tensor(new long[] { -1, -1 }, [2, 1])));
        Assert.Equal(0f, none.item<float>());
        none.backward();
        Assert.Equal(0f, logits.grad!.abs().max().item<float>());
    }

    [Fact]
    public void WeightedAndDeepSupervisedCombinationsAddUp()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var logits = randn([1, 2, 4, 4, 4]);
        var aux = randn([1, 2, 4, 4, 4]);
        var labels = randint(0, 2, [1, 2, 4, 4, 4]).to_type(ScalarType.Int8);
        var tasks = tensor(new long[] { 0, 1 }, [1, 2]);
        var modLogits = randn([1, 3]);
        var mods = tensor(new long[] { 2 }, [1, 1]);
        var input = Input(logits, labels, tasks, modLogits, mods, aux);
        double Seg(Tensor l) => new MaskedBinaryCrossEntropyLoss(6).Compute(input with { Logits = l }).item<float>()
                                + new AdaptiveBinaryDiceLoss(6).Compute(input with { Logits = l }).item<float>();
        var mod = new ModalityCrossEntropyLoss().Compute(input).item<float>();

        var (total, terms) = HermesLoss.Create(6, 0.01, [0.5, 0.5]).ComputeTerms(input);
        Assert.Equal(0.5 * Seg(logits) + 0.5 * Seg(aux), terms["seg"].item<float>(), 1e-5);
        Assert.Equal(0.5 * Seg(logits) + 0.5 * Seg(aux) + 0.01 * mod, total.item<float>(), 1e-5);

        var plain = HermesLoss.Create(6).Compute(input with { AuxiliaryLogits = [] }).item<float>();
        Assert.Equal(Seg(logits) + 0.01 * mod, plain, 1e-5);

        var e = Assert.Throws<ArgumentException>(() => HermesLoss.Create(6, 0.01, [0.5, 0.3, 0.2]).Compute(input));
        Assert.Contains("3 weights", e.Message);
    }
}
