using System.CommandLine;
using Hermes.Checkpoints;
using Hermes.Extension;

namespace Hermes.Cli.Commands;

/// <summary>
/// The fine-tuning options of <c>hermes train</c>: <c>--init-from M.safetensors</c> (start from a trained model, whose
/// weights are loaded by name; the new model's vocabulary may differ — see <see cref="ModelTransfer"/>),
/// <c>--freeze backbone|heads|priors</c> (repeatable or comma-separated) and <c>--backbone-lr-scale</c>.
/// The train command adds <see cref="All"/> to itself and calls <see cref="Options"/>.
/// </summary>
internal static class FineTuneArguments
{
    public static readonly Option<string?> InitFrom = new("--init-from")
    {
        Description = "Start from this trained model (.safetensors with its .json sidecar): backbone, heads and the priors of tasks/modalities with the same names.",
    };

    public static readonly Option<string[]> Freeze = new("--freeze")
    {
        Description = "Parts to freeze: backbone, heads (and/or priors). 'backbone' trains priors + heads; 'backbone,heads' trains priors only.",
        AllowMultipleArgumentsPerToken = true,
    };

    public static readonly Option<double> BackboneLearningRateScale = new("--backbone-lr-scale")
    {
        Description = "Learning rate of the backbone relative to the rest when it trains (e.g. 0.1 for a gentle full fine-tune).",
        DefaultValueFactory = _ => 1.0,
    };

    public static IEnumerable<Option> All => [InitFrom, Freeze, BackboneLearningRateScale];

    /// <summary>The fine-tuning options the parsed command line asks for.</summary>
    public static FineTuneOptions Options(ParseResult parse)
    {
        var frozen = ModelPartition.Parse(parse.GetValue(Freeze) ?? []);
        return new FineTuneOptions
        {
            Trainable = ModelParts.All & ~frozen,
            BackboneLearningRateScale = parse.GetValue(BackboneLearningRateScale),
        };
    }

    /// <summary>Loads the <c>--init-from</c> model into a freshly built one and reports what was copied.</summary>
    public static TransferReport? Initialize(ParseResult parse, Abstractions.UniversalSegmenter model, ModelVocabulary vocabulary)
    {
        var path = parse.GetValue(InitFrom);
        if (path is null)
        {
            return null;
        }

        var (state, sidecar) = CheckpointReader.Load(path);
        try
        {
            var (tn, mn) = SidecarModel.Vocabulary(sidecar);
            using var pretrained = SidecarModel.Build(sidecar, tn, mn);
            StateDictLoader.Load(pretrained, state);
            return ModelTransfer.Initialize(model, vocabulary, pretrained, new ModelVocabulary(sidecar.Tasks, sidecar.Modalities));
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }
}
