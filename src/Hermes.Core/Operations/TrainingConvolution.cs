using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Operations;

/// <summary>
/// A dense, stride-1, "same"-padded 3D convolution (odd cubic kernel k, padding k / 2, no groups, no bias) recorded for
/// autograd with Hermes' own CPU kernels: the forward pass and the input gradient by <see cref="WinogradConvolution"/> where
/// it fits (3³, float32, the shapes and channel counts of <see cref="Conv3dForwardMode"/>), the weight gradient by
/// <see cref="WinogradWeightGradient"/> there (from <see cref="WinogradWeightGradient.MinChannels"/> channels) and by
/// <see cref="GemmWeightGradientConvolution"/> elsewhere; LibTorch's <c>conv3d</c> / <c>conv_transpose3d</c> for the forward
/// and input gradient where the Winograd kernel does not fit.
/// </summary>
/// <remarks>
/// <para>Why: with only the weight gradient replaced, a Hermes-R forward+backward at 64³ spent most of its time in LibTorch's
/// training forward and input gradient — oneDNN's AVX2 kernels under the guard's cap — and the backward cost 4× the forward
/// (docs/performance.md, "Training throughput"). The input gradient of a stride-1 "same" convolution is itself a "same"
/// convolution, of the output gradient with the weight flipped in space and its channel axes swapped, so the Winograd kernel
/// computes it as fast as the forward pass.</para>
/// <para>When: <see cref="Applies"/>. A weight that needs a gradient takes this node only while the GEMM weight gradient is
/// enabled: LibTorch computes its own weight gradient only inside its convolution backward (TorchSharp exposes no separate
/// <c>convolution_backward</c>), so with <see cref="Conv3dWeightGradientMode.LibTorch"/> the whole convolution stays LibTorch's.
/// A frozen weight (fine-tuning only the priors) takes this node where the Winograd kernel fits, for the input gradient.</para>
/// <para>Memory: the node saves the input and the weight, as <c>conv3d</c>'s own node does; the output is not kept.</para>
/// </remarks>
public static class TrainingConvolution
{
    /// <summary>
    /// Whether <see cref="Convolve"/> should replace <c>conv3d</c> here: a gradient will be recorded (grad mode on, and the
    /// weight or the input requires one), on the CPU, for a dense stride-1 convolution with an odd cubic kernel larger than 1
    /// and padding k / 2; and either the weight requires a gradient and <see cref="GemmWeightGradientConvolution.Enabled"/>, or
    /// only the input does and the Winograd kernel fits.
    /// </summary>
    /// <param name="input">The convolution's input <c>[B, C_in, D, H, W]</c>.</param>
    /// <param name="weight">Its weight <c>[C_out, C_in / groups, k, k, k]</c>.</param>
    /// <param name="stride">Its stride (all three axes equal).</param>
    /// <param name="padding">Its padding (all three axes equal).</param>
    /// <param name="groups">Its groups.</param>
    public static bool Applies(Tensor input, Tensor weight, long stride, long padding, long groups)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (stride != 1 || groups != 1 || weight.dim() != 5 || input.dim() != 5 || !is_grad_enabled() ||
            weight.device_type != DeviceType.CPU || input.device_type != DeviceType.CPU)
        {
            return false;
        }

        var k = weight.shape[2];
        if (k <= 1 || k % 2 == 0 || weight.shape[3] != k || weight.shape[4] != k || padding != k / 2)
        {
            return false;
        }

        return weight.requires_grad
            ? GemmWeightGradientConvolution.Enabled
            : input.requires_grad && WinogradConvolution.Fits(input, weight, stride, padding, groups);
    }

    /// <summary>
    /// <c>conv3d(input, weight, padding: k / 2)</c>, recorded for autograd: forward and input gradient by the Winograd kernel
    /// where <see cref="WinogradConvolution"/> fits this convolution now (else LibTorch's), weight gradient by
    /// <see cref="WinogradWeightGradient"/> where the forward runs by Winograd and <see cref="WinogradWeightGradient.MinChannels"/>
    /// allows, else by <see cref="GemmWeightGradientConvolution.WeightGradient"/>. The kernels are chosen here, in the forward pass.
    /// </summary>
    /// <param name="input">A floating-point <c>[B, C_in, D, H, W]</c> tensor.</param>
    /// <param name="weight">A weight <c>[C_out, C_in, k, k, k]</c> with odd k of the input's dtype and device.</param>
    /// <returns>The convolution's output <c>[B, C_out, D, H, W]</c>.</returns>
    /// <exception cref="ArgumentException">The shapes or dtypes do not fit a dense "same" convolution.</exception>
    public static Tensor Convolve(Tensor input, Tensor weight)
    {
        var padding = Validate(input, weight);
        var winograd = WinogradConvolution.Fits(input, weight, 1, padding, 1);
        var winogradWeights = winograd && weight.requires_grad && WinogradWeightGradient.MinChannels is { } min &&
            Math.Min(input.shape[1], weight.shape[0]) >= min;
        return TrainingConvolutionFunction.apply(input, weight, padding, winograd, winogradWeights);
    }

    private static long Validate(Tensor input, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.dim() != 5 || weight.dim() != 5 || weight.shape[1] != input.shape[1] || weight.shape[2] % 2 == 0 ||
            weight.shape[2] != weight.shape[3] || weight.shape[2] != weight.shape[4] || weight.dtype != input.dtype ||
            !input.is_floating_point())
        {
            throw new ArgumentException(
                $"A dense \"same\" 3D convolution needs a floating-point input [B, C_in, D, H, W] and a weight [C_out, C_in, k, k, k] with odd k " +
                $"and the input's dtype; got input {input.dtype} [{string.Join(", ", input.shape)}], weight {weight.dtype} [{string.Join(", ", weight.shape)}].",
                nameof(weight));
        }

        return weight.shape[2] / 2;
    }
}
