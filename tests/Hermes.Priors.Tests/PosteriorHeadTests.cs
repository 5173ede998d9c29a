using Hermes.Priors.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Tests;

/// <summary>
/// The hierarchical posterior head reads only the task tokens and applies per-task dynamic 1×1×1 kernels without bias;
/// the modality head reads only the modality tokens; initialisation follows the reference (§5).
/// </summary>
public sealed class PosteriorHeadTests
{
    [Fact]
    public void LogitsAreDynamicKernelsAppliedPerVoxelWithoutBias()
    {
        manual_seed(11);
        using var head = new HierarchyPriorClassifier(posteriorWidth: 12, featureChannels: 4);
        using var scope = NewDisposeScope();
        var posteriors = new[] { randn([2, 3 + 5, 4]), randn([2, 3 + 5, 8]) };
        var features = randn([2, 4, 3, 2, 5]);
        var logits = head.Predict(posteriors, features, taskCount: 3);
        Assert.Equal(new long[] { 2, 3, 3, 2, 5 }, logits.shape);

        var kernels = head.Kernels(posteriors, 3);
        var expected = einsum("btc,bcdhw->btdhw", kernels, features);
        Assert.True(logits.allclose(expected, rtol: 1e-5, atol: 1e-6));

        // Modality tokens (after the first T) do not influence the segmentation logits.
        var changed = posteriors.Select(p => { var c = p.clone(); c[.., TensorIndex.Slice(3)] = randn([2, 5, p.shape[2]]); return c; }).ToArray();
        Assert.True(head.Predict(changed, features, 3).allclose(logits));
    }

    [Fact]
    public void ModalityHeadReadsOnlyTheModalityTokens()
    {
        manual_seed(12);
        using var head = new ModalityClassifier(posteriorWidth: 12, modalityCount: 3);
        using var scope = NewDisposeScope();
        var posteriors = new[] { randn([2, 3 + 5, 4]), randn([2, 3 + 5, 8]) };
        var logits = head.Predict(posteriors, taskCount: 3);
        Assert.Equal(new long[] { 2, 3 }, logits.shape);
        var changed = posteriors.Select(p => { var c = p.clone(); c[.., TensorIndex.Slice(0, 3)] = randn([2, 3, p.shape[2]]); return c; }).ToArray();
        Assert.True(head.Predict(changed, 3).allclose(logits));
    }

    [Fact]
    public void PosteriorHeadLinearsAreXavierWithZeroBiases()
    {
        using var head = new HierarchyPriorClassifier(posteriorWidth: 1088, featureChannels: 32);
        var p = head.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(
            ["norm.weight", "norm.bias", "classifier_pred.0.fc1.weight", "classifier_pred.0.fc1.bias", "classifier_pred.0.fc2.weight",
             "classifier_pred.0.fc2.bias", "classifier_pred.1.fc1.weight", "classifier_pred.1.fc1.bias", "classifier_pred.1.fc2.weight",
             "classifier_pred.1.fc2.bias"],
            p.Keys);
        foreach (var (name, fanIn, fanOut) in new[] { ("classifier_pred.0.fc1", 1088, 1088), ("classifier_pred.0.fc2", 1088, 32), ("classifier_pred.1.fc1", 32, 32) })
        {
            var bound = Math.Sqrt(6.0 / (fanIn + fanOut));
            Assert.InRange(p[name + ".weight"].abs().max().item<float>(), 0.9 * bound, bound * (1 + 1e-6));
            Assert.Equal(0f, p[name + ".bias"].abs().max().item<float>());
        }
    }
}
