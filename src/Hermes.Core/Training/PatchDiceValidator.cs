using Hermes.Abstractions;
using Hermes.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>
/// Per-task Dice of a model on a fixed list of patch batches (whole-volume sliding-window validation is the inference
/// layer's job; this validator is for patch-sized validation sets and tests).
/// </summary>
/// <param name="batches">The validation batches; they stay owned by the caller.</param>
public sealed class PatchDiceValidator(IReadOnlyList<TrainingBatch> batches) : IValidator
{
    private readonly IReadOnlyList<TrainingBatch> batches = batches ?? throw new ArgumentNullException(nameof(batches));

    /// <inheritdoc/>
    public ValidationReport Validate(UniversalSegmenter model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var device = model.parameters().First().device;
        var sums = new Dictionary<long, (double Sum, int Count)>();
        using var noGrad = no_grad();
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Validate();
            using var scope = NewDisposeScope();
            var tasks = batch.TaskIndices.to(device);
            using var output = model.forward(batch.Image.to(device), tasks, batch.Modality.to(device));
            TaskDice.Accumulate(output.Logits, batch.Labels.to(device), tasks, sums);
        }

        return ValidationReport.FromSums(sums);
    }
}
