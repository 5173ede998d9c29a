using Hermes.Backbones.Tests.Training;
using Hermes.Testing;
using Hermes.Transfer;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Transfer;

public sealed class TransferInitTests
{
    [Fact]
    public void NewDatasetModelStartsFromThePretrainedBackboneAndMatchingPriors()
    {
        using var pretrained = ExtensionFixture.SmallR(4, 3, seed: 41);
        pretrained.eval();
        var pretrainedVocabulary = ExtensionFixture.Vocabulary(); // liver, spleen, kidney | ct, mr (+ unknown slot)
        using var target = ExtensionFixture.SmallR(3, 2, seed: 42);
        target.eval();
        var vocabulary = new ModelVocabulary(["spleen", "tumour"], ["mr"]);
        var fresh = ExtensionFixture.Snapshot(target);

        var report = ModelTransfer.Initialize(target, vocabulary, pretrained, pretrainedVocabulary);

        Assert.Equal(["spleen"], report.MatchedTasks);
        Assert.Equal(["mr"], report.MatchedModalities);
        var source = pretrained.state_dict();
        foreach (var (name, value) in target.state_dict())
        {
            if (name.EndsWith("task_prior", StringComparison.Ordinal))
            {
                Assert.True(TensorEquality.Same(value[0], source[name][1]), $"{name}: spleen row");
                Assert.True(TensorEquality.Same(value[1], fresh[name][1]), $"{name}: the new task keeps its initialisation");
                Assert.True(TensorEquality.Same(value[3], source[name][4]), $"{name}: null token");
            }
            else if (name.EndsWith("modality_prior", StringComparison.Ordinal))
            {
                Assert.True(TensorEquality.Same(value[0], source[name][1]), $"{name}: mr row");
                Assert.True(TensorEquality.Same(value[1], source[name][2]), $"{name}: unknown slot");
            }
            else if (name.StartsWith("mod_out.classifier.fc2", StringComparison.Ordinal))
            {
                Assert.True(TensorEquality.Same(value, source[name].index_select(0, tensor(new long[] { 1, 2 }))), name);
            }
            else
            {
                Assert.True(TensorEquality.Same(value, source[name]), $"{name} was not copied");
                Assert.Contains(name, report.CopiedTensors);
            }
        }

        // The transferred model segments "spleen" exactly as the pretrained one does.
        random.manual_seed(5);
        using var image = randn([1, 1, 32, 32, 32]);
        using var mine = target.forward(image, tensor(new long[,] { { 0, -1 } }), ExtensionFixture.Ids(0));
        using var theirs = pretrained.forward(image, tensor(new long[,] { { 1, -1 } }), ExtensionFixture.Ids(1));
        Assert.True(TensorEquality.Same(mine.Logits, theirs.Logits));
    }

    [Fact]
    public void HeadsAndPriorsCanBeLeftAtTheirInitialisation()
    {
        using var pretrained = ExtensionFixture.SmallR(4, 3, seed: 43);
        using var target = ExtensionFixture.SmallR(3, 2, seed: 44);
        var fresh = ExtensionFixture.Snapshot(target);
        var report = ModelTransfer.Initialize(target, new ModelVocabulary(["spleen"], ["mr"]), pretrained,
            ExtensionFixture.Vocabulary(), new TransferOptions { IncludeHeads = false, MatchPriorsByName = false });

        Assert.Empty(report.MatchedTasks);
        var source = pretrained.state_dict();
        foreach (var (name, value) in target.state_dict())
        {
            var isHeadOrPrior = name.StartsWith("out.", StringComparison.Ordinal) || name.StartsWith("mod_out.", StringComparison.Ordinal) ||
                                name.EndsWith("_prior", StringComparison.Ordinal);
            Assert.True(TensorEquality.Same(value, isHeadOrPrior ? fresh[name] : source[name]), name);
        }
    }

    [Fact]
    public void DifferentArchitecturesAreRefused()
    {
        using var pretrained = ExtensionFixture.SmallR(4, 3, seed: 45, baseChannels: 8);
        using var target = ExtensionFixture.SmallR(3, 2, seed: 46);
        var e = Assert.Throws<InvalidOperationException>(() => ModelTransfer.Initialize(target,
            new ModelVocabulary(["spleen"], ["mr"]), pretrained, ExtensionFixture.Vocabulary()));
        Assert.Contains("architectures differ", e.Message, StringComparison.Ordinal);
    }
}
