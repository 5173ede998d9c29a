using Hermes.Data;

namespace Hermes.Experiments;

/// <summary>One case of an experiment: the reference the preprocessing cache reads, and its role in the split.</summary>
/// <param name="Dataset">The experiment dataset it belongs to.</param>
/// <param name="Reference">Image (one channel) and label files, dataset key and modality.</param>
/// <param name="Role">Whether it trains, is held out, or both (scored on its own training case).</param>
public sealed record ExperimentCase(DatasetSelection Dataset, CaseReference Reference, CaseRole Role)
{
    /// <summary>The image file predicted at evaluation (the model's single input channel).</summary>
    public string ImagePath => Reference.ImagePaths[0];

    /// <summary>The reference label map.</summary>
    public string LabelPath => Reference.LabelPath;

    /// <summary>A name unique within the experiment: <c>dataset/case</c>.</summary>
    public string Key => $"{Reference.Dataset}/{Reference.CaseId}";
}
