using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Blocks;

/// <summary>
/// 2³ max-pooling with stride 2 (PyTorch's <c>MaxPool3d(2)</c>: odd trailing voxels are dropped). No parameters.
/// </summary>
/// <remarks>
/// When no gradient is needed (inference, <c>no_grad</c>), the pool is computed as three pairwise maxima of strided
/// views, one axis at a time — the same values, exactly, about 6× faster than LibTorch's CPU <c>max_pool3d</c> (0.04 s
/// against 0.23 s for 32 channels at 128³, docs/performance.md). With autograd the module calls <c>max_pool3d</c>,
/// whose backward routes each gradient to one arg-max voxel as the reference does (the pairwise form would split it
/// between tied voxels, and its backward is slower).
/// </remarks>
public sealed class HalvingMaxPool : nn.Module<Tensor, Tensor>
{
    private static readonly long[] Two = [2, 2, 2];

    /// <summary>Creates the pool.</summary>
    public HalvingMaxPool()
        : base(nameof(HalvingMaxPool))
    {
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 5 || (is_grad_enabled() && input.requires_grad))
        {
            return nn.functional.max_pool3d(input, Two, Two);
        }

        using var scope = NewDisposeScope();
        var y = input;
        for (var axis = 2; axis < 5; axis++)
        {
            var half = y.shape[axis] / 2;
            y = maximum(y.slice(axis, 0, 2 * half, 2), y.slice(axis, 1, 2 * half, 2));
        }

        return y.MoveToOuterDisposeScope();
    }
}
