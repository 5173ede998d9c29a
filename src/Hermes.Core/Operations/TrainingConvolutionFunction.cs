using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Operations;

/// <summary>
/// The autograd node behind <see cref="TrainingConvolution.Convolve"/>. Forward: <see cref="WinogradConvolution"/> where it
/// fits, else <c>conv3d</c>. Backward: the input gradient by <see cref="WinogradConvolution"/> with the flipped, transposed
/// weight where the forward ran there, else <c>conv_transpose3d</c>; the weight gradient by <see cref="WinogradWeightGradient"/>
/// where the fifth argument says so, else by <see cref="GemmWeightGradientConvolution.WeightGradient"/>. Arguments: input,
/// weight, padding (long), Winograd forward and input gradient (bool), Winograd weight gradient (bool).
/// </summary>
/// <remarks>
/// <para>Saved for the backward pass: the input and the weight, nothing else — the output is not kept, as with
/// <c>conv3d</c>'s own node.</para>
/// <para>TorchSharp hands <see cref="backward"/> a managed wrapper of the output gradient and copies the returned gradients
/// into the graph after <see cref="backward"/> returns, but disposes neither: left to the caller's dispose scope or the GC
/// they would keep every convolution's gradients alive until the training step ends. So the output gradient is disposed
/// here, and the returned gradients are disposed at this thread's next backward call, when the graph has long taken its
/// own references.</para>
/// </remarks>
internal sealed class TrainingConvolutionFunction : autograd.SingleTensorFunction<TrainingConvolutionFunction>
{
    private const string PaddingKey = "padding";
    private const string WinogradKey = "winograd";
    private const string WinogradWeightsKey = "winograd_weights";
    private const string InputGradKey = "input_requires_grad";
    private const string WeightGradKey = "weight_requires_grad";

    [ThreadStatic]
    private static List<Tensor>? returnedLastTime;

    /// <inheritdoc/>
    public override string Name => nameof(TrainingConvolution);

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var padding = (long)vars[2];
        var winograd = (bool)vars[3];
        var winogradWeights = (bool)vars[4];
        ctx.save_for_backward([input, weight]);
        ctx.save_data(PaddingKey, padding);
        ctx.save_data(WinogradKey, winograd);
        ctx.save_data(WinogradWeightsKey, winogradWeights);
        ctx.save_data(InputGradKey, input.requires_grad);
        ctx.save_data(WeightGradKey, weight.requires_grad);
        return winograd
            ? WinogradConvolution.Convolve(input, weight)
            : nn.functional.conv3d(input, weight, padding: [padding, padding, padding]);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ReleaseReturnedGradients();
        var saved = ctx.get_saved_variables();
        var padding = (long)ctx.get_data(PaddingKey);
        using var scope = NewDisposeScope();
        using var input = saved[0];
        using var weight = saved[1];
        Tensor? gradInput = null, gradWeight = null;
        if ((bool)ctx.get_data(InputGradKey))
        {
            // The input gradient of a stride-1 "same" convolution is the "same" convolution of the output gradient with the
            // weight flipped in space and with its channel axes swapped: [C_in, C_out, k, k, k].
            gradInput = ((bool)ctx.get_data(WinogradKey)
                ? WinogradConvolution.Convolve(grad_output, weight.flip(2, 3, 4).transpose(0, 1))
                : nn.functional.conv_transpose3d(grad_output, weight, padding: [padding, padding, padding])).DetachFromDisposeScope();
        }

        if ((bool)ctx.get_data(WeightGradKey))
        {
            gradWeight = ((bool)ctx.get_data(WinogradWeightsKey) && WinogradWeightGradient.Fits(input, grad_output)
                ? WinogradWeightGradient.Compute(input, grad_output)
                : GemmWeightGradientConvolution.WeightGradient(input, grad_output, (int)weight.shape[2])).DetachFromDisposeScope();
        }

        grad_output.Dispose();
        var returned = new List<Tensor>(2);
        foreach (var gradient in (Tensor?[])[gradInput, gradWeight])
        {
            if (gradient is not null)
            {
                returned.Add(gradient);
            }
        }

        returnedLastTime = returned;
        return [gradInput!, gradWeight!, null!, null!, null!];
    }

    private static void ReleaseReturnedGradients()
    {
        if (returnedLastTime is { } previous)
        {
            returnedLastTime = null;
            previous.ForEach(t => t.Dispose());
        }
    }
}
