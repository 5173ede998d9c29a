namespace Hermes.Inference;

/// <summary>How <see cref="VolumePredictor.PredictToFolder"/> writes the probability maps <see cref="PredictionOptions.KeepProbabilities"/> asks for.</summary>
public enum ProbabilityFormat
{
    /// <summary>One float32 NIfTI per task (<c>case_probabilities/task.nii.gz</c>) on the input's grid, with its affine: opens in any viewer.</summary>
    NiftiFloat32 = 0,

    /// <summary>
    /// One compressed NumPy archive per case (<c>case_probabilities.npz</c>): <c>probabilities</c> float16 [tasks, D, H, W]
    /// (the volume's tensor order, as nnU-Net stores its <c>.npz</c> probabilities for ensembling), <c>affine</c> float64
    /// 4 × 4 (RAS+ world of voxel (i, j, k) = (W, H, D) indices) and <c>tasks</c> (names, in channel order). Half the
    /// size of float32; NIfTI has no float16 type.
    /// </summary>
    NumpyFloat16 = 1,
}
