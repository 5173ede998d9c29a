using Hermes.Abstractions;
using Hermes.Runtime;
using Hermes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Transfer;

/// <summary>Freezes the parts of a model that fine-tuning must not change and builds the optimiser for the rest.</summary>
/// <example>
/// <code>
/// var optimizer = FineTuning.Prepare(model, FineTuneOptions.PriorsOnly,
///     p =&gt; new LambOptimizer(p, new LambOptions { LearningRate = 0.01, MaxGradNorm = double.PositiveInfinity }));
/// using var trainer = new Trainer(model, HermesLoss.Create(model.TaskCount).Terms, optimizer, trainerOptions);
/// </code>
/// </example>
public static class FineTuning
{
    /// <summary>
    /// Sets <c>requires_grad = false</c> on every parameter of the frozen parts (dropping any gradient they hold), and
    /// returns an optimiser over the trainable ones only: one group, plus a separate backbone group when it trains at a
    /// different rate. Row restrictions (<see cref="FineTuneOptions.TrainableTaskIds"/>) are enforced by the optimiser.
    /// </summary>
    /// <param name="model">The model (modified: frozen parameters stop requiring gradients).</param>
    /// <param name="options">What trains.</param>
    /// <param name="createGroupOptimizer">
    /// Creates the optimiser of one parameter group (for example LAMB without clipping: the returned optimiser clips
    /// globally with <see cref="FineTuneOptions.MaxGradNorm"/>).
    /// </param>
    /// <returns>The optimiser to give the <see cref="Trainer"/>.</returns>
    public static FineTuneOptimizer Prepare(UniversalSegmenter model, FineTuneOptions options,
        Func<IReadOnlyList<Parameter>, ITrainingOptimizer> createGroupOptimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createGroupOptimizer);
        HermesRuntime.EnsureInitialized();
        options.Validate();
        var parts = ModelPartition.Classify(model);
        var trainable = new List<(string Name, Parameter Parameter, ModelParts Part)>();
        foreach (var p in parts)
        {
            var trains = options.Trainable.HasFlag(p.Part);
            if (!trains)
            {
                Training.OptimizerState.ZeroGrad([p.Parameter]);
            }

            p.Parameter.requires_grad = trains;
            if (trains)
            {
                trainable.Add(p);
            }
        }

        var separate = options.BackboneLearningRateScale != 1.0;
        var main = trainable.Where(p => !separate || p.Part != ModelParts.Backbone).Select(p => p.Parameter).ToList();
        var backbone = separate ? trainable.Where(p => p.Part == ModelParts.Backbone).Select(p => p.Parameter).ToList() : [];
        var groups = new List<FineTuneOptimizer.Group>();
        try
        {
            if (main.Count > 0)
            {
                groups.Add(new FineTuneOptimizer.Group(separate ? "main" : "all", main, createGroupOptimizer(main), 1.0));
            }

            if (backbone.Count > 0)
            {
                groups.Add(new FineTuneOptimizer.Group("backbone", backbone, createGroupOptimizer(backbone),
                    options.BackboneLearningRateScale));
            }

            var guards = RowGuards(model, parts, options);
            return new FineTuneOptimizer(groups, options.MaxGradNorm, guards);
        }
        catch
        {
            groups.ForEach(g => g.Optimizer.Dispose());
            throw;
        }
    }

    private static List<FineTuneOptimizer.RowGuard> RowGuards(UniversalSegmenter model,
        IReadOnlyList<(string Name, Parameter Parameter, ModelParts Part)> parts, FineTuneOptions options)
    {
        var guards = new List<FineTuneOptimizer.RowGuard>();
        foreach (var (name, parameter, part) in parts.Where(p => p.Part == ModelParts.Priors))
        {
            var isTask = name.EndsWith(ModelTensorRoles.TaskTableName, StringComparison.Ordinal);
            var ids = isTask ? options.TrainableTaskIds : options.TrainableModalityIds;
            if (ids is null)
            {
                continue;
            }

            var rows = parameter.shape[0];
            var count = isTask ? model.TaskCount : model.ModalityCount;
            var open = new HashSet<long>();
            foreach (var id in ids)
            {
                if (id < -1 || id >= count)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), id,
                        $"Trainable {(isTask ? "task" : "modality")} id {id} is out of range −1 … {count - 1}.");
                }

                open.Add(id < 0 ? rows - 1 : id);
            }

            var frozen = Enumerable.Range(0, (int)rows).Select(i => (long)i).Where(r => !open.Contains(r)).ToArray();
            if (frozen.Length > 0)
            {
                var index = tensor(frozen, device: parameter.device);
                guards.Add(new FineTuneOptimizer.RowGuard(name, parameter, index, parameter.detach().index_select(0, index).clone()));
            }
        }

        return guards;
    }
}
