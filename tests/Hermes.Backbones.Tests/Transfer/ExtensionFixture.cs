using Hermes.Abstractions;
using Hermes.Transfer;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Transfer;

/// <summary>Small Hermes-R / Hermes-M models and helpers for the extension tests.</summary>
internal static class ExtensionFixture
{
    public static HermesROptions SmallROptions(int taskCount, int modalityCount, int baseChannels = 4) => new()
    {
        Backbone = new ResUNetOptions { BaseChannels = baseChannels },
        TaskCount = taskCount,
        ModalityCount = modalityCount,
        FusionBlocks = [1, 1, 1, 1, 1],
    };

    public static HermesMOptions SmallMOptions(int taskCount, int modalityCount) => new()
    {
        Backbone = SmallBackbones.MedFormer(),
        TaskCount = taskCount,
        ModalityCount = modalityCount,
    };

    public static UniversalSegmenter SmallR(int taskCount, int modalityCount, long seed, int baseChannels = 4)
    {
        random.manual_seed(seed);
        return HermesR.Create(SmallROptions(taskCount, modalityCount, baseChannels));
    }

    public static Func<int, int, UniversalSegmenter> RBuilder(long seed, int baseChannels = 4) => (tn, mn) =>
    {
        random.manual_seed(seed);
        return HermesR.Create(SmallROptions(tn, mn, baseChannels));
    };

    public static Func<int, int, UniversalSegmenter> MBuilder(long seed) => (tn, mn) =>
    {
        random.manual_seed(seed);
        return HermesM.Create(SmallMOptions(tn, mn));
    };

    public static Func<int, int, UniversalSegmenter> RBuilderOrM(string architecture, long seed) =>
        architecture == "hermes-r" ? RBuilder(seed) : MBuilder(seed);

    /// <summary>Three named tasks of four ids (id 3 unused, as the reference's id 71), two named modalities of three (slot 2 unknown).</summary>
    public static ModelVocabulary Vocabulary() => new(["liver", "spleen", "kidney"], ["ct", "mr"]);

    public static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());


    public static Tensor Ids(long[,] ids) => tensor(ids);

    public static Tensor Ids(params long[] ids) => tensor(ids).unsqueeze(1);
}
