using System.CommandLine;
using System.Globalization;
using Hermes.Abstractions;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.Transfer;

namespace Hermes.Cli.Commands;

/// <summary>
/// The fine-tuning options of <c>hermes train</c>: <c>--init-from M.safetensors</c> (start from a trained model: its
/// vocabulary comes first, the configuration's datasets may append tasks and modalities, and every weight is copied by
/// name, see <see cref="ModelTransfer"/>), <c>--freeze backbone|heads</c> and <c>--backbone-lr-scale</c>.
/// The train command adds <see cref="All"/> to itself and calls <see cref="Read"/>.
/// </summary>
internal static class FineTuneArguments
{
    /// <summary>The backbone's relative learning rate of a full fine-tune when <c>--backbone-lr-scale</c> is not given.</summary>
    public const double DefaultBackboneLearningRateScale = 0.1;

    public static readonly Option<string?> InitFrom = new("--init-from")
    {
        Description = "Fine-tune this trained model (.safetensors with its .json sidecar, e.g. from 'hermes extend'): its tasks and modalities keep their ids, the configuration's datasets may add more, and backbone, heads and priors are copied by name.",
    };

    public static readonly Option<string?> Freeze = new("--freeze")
    {
        Description = "With --init-from: 'backbone' freezes the backbone (priors and heads train); 'heads' freezes the backbone and the heads (only the priors train). Frozen weights stay bit-identical. Default: everything trains.",
    };

    public static readonly Option<double?> BackboneLearningRateScale = new("--backbone-lr-scale")
    {
        Description = "With --init-from and no --freeze: the backbone's learning rate relative to the rest (default 0.1).",
    };

    public static IEnumerable<Option> All => [InitFrom, Freeze, BackboneLearningRateScale];

    /// <summary>
    /// The fine-tune the command line asks for: <see langword="null"/> with no <c>--init-from</c> (training from scratch);
    /// <paramref name="error"/> names the offending option when the combination is invalid.
    /// </summary>
    public static Request? Read(ParseResult parse, out string? error)
    {
        var path = parse.GetValue(InitFrom);
        var freeze = parse.GetValue(Freeze);
        var scale = parse.GetValue(BackboneLearningRateScale);
        error = null;
        if (path is null)
        {
            if (freeze is not null || scale is not null)
            {
                error = $"{(freeze is not null ? "--freeze" : "--backbone-lr-scale")} needs --init-from (the trained model to fine-tune).";
            }

            return null;
        }

        if (scale is { } s && (!double.IsFinite(s) || s <= 0))
        {
            error = $"--backbone-lr-scale {s.ToString(CultureInfo.InvariantCulture)} is invalid: expected a finite value > 0 (use --freeze backbone to keep the backbone fixed).";
            return null;
        }

        FineTuneOptions options;
        switch (freeze?.Trim().ToLowerInvariant())
        {
            case null:
                options = FineTuneOptions.Full(scale ?? DefaultBackboneLearningRateScale);
                break;
            case "backbone" or "heads" when scale is not null:
                error = $"--backbone-lr-scale applies only when the backbone trains; --freeze {freeze} freezes it.";
                return null;
            case "backbone":
                options = FineTuneOptions.PriorsAndHeads;
                break;
            case "heads":
                options = FineTuneOptions.PriorsOnly;
                break;
            default:
                error = $"--freeze '{freeze}' is not a part to freeze: expected 'backbone' (priors and heads train) or 'heads' (backbone and heads frozen, only the priors train).";
                return null;
        }

        return new Request(path, options);
    }

    /// <summary>
    /// The catalog of a fine-tune: the pretrained model's task and modality names first, in its id order, then the
    /// built-in datasets (whose tasks and modalities the model does not know yet are appended, as
    /// <see cref="VocabularyExtension"/> appends them).
    /// </summary>
    public static TaskCatalog Catalog(ModelSidecar pretrained)
    {
        var vocabulary = new TaskVocabulary();
        foreach (var task in pretrained.Tasks)
        {
            vocabulary.AddTask(task);
        }

        var builtIn = TaskCatalog.CreateHermes();
        foreach (var modality in pretrained.Modalities.Concat(builtIn.Vocabulary.Modalities))
        {
            vocabulary.AddModality(modality);
        }

        var catalog = new TaskCatalog(vocabulary);
        foreach (var dataset in builtIn.Datasets)
        {
            catalog.Add(dataset);
        }

        return catalog;
    }

    /// <summary>The preprocessing of a fine-tune: the pretrained model's target spacing and normalisations (defaults for modalities it does not list).</summary>
    public static PreprocessingOptions Preprocessing(ModelSidecar pretrained) => new()
    {
        TargetSpacing = pretrained.Preprocessing.TargetSpacing,
        Normalization = pretrained.Preprocessing.Normalization,
    };

    /// <summary>What <c>--init-from</c>, <c>--freeze</c> and <c>--backbone-lr-scale</c> ask for.</summary>
    /// <param name="ModelPath">The trained model's weights (its sidecar beside it).</param>
    /// <param name="Options">What trains, and how fast.</param>
    internal sealed record Request(string ModelPath, FineTuneOptions Options)
    {
        /// <summary>Reads the trained model's sidecar (its vocabulary and preprocessing).</summary>
        /// <exception cref="FileNotFoundException">The weights or the sidecar are missing.</exception>
        /// <exception cref="CheckpointFormatException">The sidecar is invalid.</exception>
        public ModelSidecar ReadSidecar()
        {
            if (!File.Exists(ModelPath))
            {
                throw new FileNotFoundException($"Model '{ModelPath}' not found.", ModelPath);
            }

            var sidecar = CheckpointWriter.SidecarPath(ModelPath);
            return File.Exists(sidecar)
                ? ModelSidecar.Load(sidecar)
                : throw new FileNotFoundException($"Model sidecar '{sidecar}' not found beside '{ModelPath}'.", sidecar);
        }

        /// <summary>Copies the trained model's weights into <paramref name="model"/> by name and reports what was copied.</summary>
        /// <exception cref="InvalidOperationException">The architectures differ.</exception>
        public TransferReport Initialize(UniversalSegmenter model, TaskVocabulary vocabulary)
        {
            var (state, sidecar) = CheckpointReader.Load(ModelPath);
            try
            {
                var (tn, mn) = SidecarModel.Vocabulary(sidecar, state);
                using var pretrained = SidecarModel.Build(sidecar, tn, mn);
                StateDictLoader.Load(pretrained, state);
                return ModelTransfer.Initialize(model, new ModelVocabulary(vocabulary.Tasks, vocabulary.Modalities), pretrained,
                    new ModelVocabulary(sidecar.Tasks, sidecar.Modalities));
            }
            finally
            {
                foreach (var t in state.Values)
                {
                    t.Dispose();
                }
            }
        }

        /// <summary>One line for the console: what trains.</summary>
        public string Describe() =>
            Options.Trainable == ModelParts.Priors ? "backbone and heads frozen; priors train"
            : Options.Trainable == (ModelParts.Priors | ModelParts.Heads) ? "backbone frozen; priors and heads train"
            : string.Create(CultureInfo.InvariantCulture, $"everything trains; backbone at {Options.BackboneLearningRateScale:G3} × the learning rate");
    }
}
