using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.Preprocessing;
using Hermes.Transfer;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Data;

/// <summary>
/// A vocabulary sizes a model with one task id beyond its names (the id the loss silences) and one modality row beyond
/// its names (the unknown slot that −1 selects); a sidecar's normalisations cover that slot; and a state dict's prior
/// tables give back those sizes whatever the names count.
/// </summary>
public sealed class ModelVocabularySizingTests
{
    [Fact]
    public void ModelSizesLeaveRoomForTheSilencedIdAndTheUnknownSlot()
    {
        var vocabulary = new TaskVocabulary();
        vocabulary.AddTask("liver");
        vocabulary.AddTask("spleen");
        vocabulary.AddModality("CT");
        vocabulary.AddModality("T1-MRI");
        Assert.Equal(-1, vocabulary.AddModality(TaskVocabulary.UnknownModality));
        Assert.Equal(3, vocabulary.ModelTaskCount);
        Assert.Equal(3, vocabulary.ModelModalityCount);

        var options = new PreprocessingOptions();
        var normalization = options.NormalizationByModality(vocabulary);
        Assert.Equal(["CT", "T1-MRI", TaskVocabulary.UnknownModality], normalization.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(IntensityNormalization.Ct, normalization["CT"]);
        Assert.Equal(options.DefaultNormalization, normalization[TaskVocabulary.UnknownModality]);
    }

    [Fact]
    public void PriorTablesGiveTheSizesAndMissingTablesGiveNone()
    {
        using var taskTable = zeros(5, 8);
        using var modalityTable = zeros(3, 2, 8);
        using var other = zeros(3, 8);
        var state = new Dictionary<string, Tensor>
        {
            ["backbone.conv.weight"] = other,
            ["prior_init_fuse_2.task_prior"] = taskTable,
            ["prior_init_fuse_2.modality_prior"] = modalityTable,
        };
        Assert.Equal((4, 3), ModelVocabulary.SizesFromStateDict(state));
        Assert.Equal((null, null), ModelVocabulary.SizesFromStateDict(new Dictionary<string, Tensor> { ["backbone.conv.weight"] = other }));
    }
}
