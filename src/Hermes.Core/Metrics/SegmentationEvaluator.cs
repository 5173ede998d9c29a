using Hermes.Volumes;
namespace Hermes.Metrics;

/// <summary>
/// Computes the selected metrics of one task in one case and appends them to a <see cref="MetricReport"/>.
/// Metric names: <c>dice</c>, <c>iou</c>, <c>hd{p}</c> (e.g. <c>hd95</c>), <c>assd</c>, <c>nsd@{τ}mm</c> (e.g. <c>nsd@2mm</c>).
/// </summary>
/// <param name="options">Which metrics, the NSD tolerance and the Hausdorff percentile.</param>
public sealed class SegmentationEvaluator(EvaluationOptions options)
{
    private readonly EvaluationOptions options = Validated(options);

    /// <summary>Evaluates one task of one case and appends one row per selected metric.</summary>
    /// <param name="report">The report to append to.</param>
    /// <param name="caseId">The case identifier.</param>
    /// <param name="task">The task name.</param>
    /// <param name="prediction">Predicted mask, [D, H, W] C order, non-zero = foreground.</param>
    /// <param name="reference">Reference mask, same shape.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="spacing">The spacing in mm (z, y, x).</param>
    public void Evaluate(MetricReport report, string caseId, string task, ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> reference, MaskShape shape, VoxelSpacing spacing)
    {
        ArgumentNullException.ThrowIfNull(report);
        shape.Validate(prediction.Length, nameof(prediction));
        shape.Validate(reference.Length, nameof(reference));
        var m = options.Metrics;
        if ((m & SegmentationMetrics.Overlap) != 0)
        {
            var counts = SegmentationOverlap.Count(prediction, reference);
            if ((m & SegmentationMetrics.Dice) != 0)
            {
                report.Add(caseId, task, "dice", counts.Dice);
            }

            if ((m & SegmentationMetrics.IoU) != 0)
            {
                report.Add(caseId, task, "iou", counts.IoU);
            }
        }

        if ((m & SegmentationMetrics.Surface) != 0)
        {
            var surface = SurfaceDistances.Compute(prediction, reference, shape, spacing);
            if ((m & SegmentationMetrics.Hausdorff) != 0)
            {
                report.Add(caseId, task, options.HausdorffMetricName, surface.HausdorffDistance(options.HausdorffPercentile));
            }

            if ((m & SegmentationMetrics.AverageSymmetricSurfaceDistance) != 0)
            {
                report.Add(caseId, task, "assd", surface.AverageSymmetricSurfaceDistance());
            }

            if ((m & SegmentationMetrics.NormalizedSurfaceDice) != 0)
            {
                report.Add(caseId, task, options.SurfaceDiceMetricName, surface.NormalizedSurfaceDice(options.ToleranceMm));
            }
        }
    }

    /// <summary>Evaluates one task of one case given as two [D, H, W] tensors (any dtype and device, non-zero = foreground).</summary>
    /// <param name="report">The report to append to.</param>
    /// <param name="caseId">The case identifier.</param>
    /// <param name="task">The task name.</param>
    /// <param name="prediction">Predicted mask, [D, H, W].</param>
    /// <param name="reference">Reference mask, same shape.</param>
    /// <param name="spacing">The spacing in mm (z, y, x).</param>
    /// <exception cref="ArgumentException">The tensors are not two [D, H, W] masks of equal shape.</exception>
    public void Evaluate(MetricReport report, string caseId, string task, TorchSharp.torch.Tensor prediction, TorchSharp.torch.Tensor reference, VoxelSpacing spacing)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        if (prediction.dim() != 3 || !prediction.shape.SequenceEqual(reference.shape))
        {
            throw new ArgumentException($"Case '{caseId}', task '{task}': expected two [D, H, W] masks of equal shape; got [{string.Join(", ", prediction.shape)}] and [{string.Join(", ", reference.shape)}].", nameof(reference));
        }

        Evaluate(report, caseId, task, MaskBytes.From(prediction), MaskBytes.From(reference), MaskShape.FromTensorShape(prediction.shape), spacing);
    }

    private static EvaluationOptions Validated(EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
