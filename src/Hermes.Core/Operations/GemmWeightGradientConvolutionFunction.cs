using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Operations;

/// <summary>
/// The autograd node behind <see cref="GemmWeightGradientConvolution.Convolve"/>: forward <c>conv3d</c>; backward
/// <c>conv_transpose3d</c> for the input and <see cref="GemmWeightGradientConvolution.WeightGradient"/> for the weight.
/// Arguments: input, weight, padding (long).
/// </summary>
/// <remarks>
/// TorchSharp hands <see cref="backward"/> a managed wrapper of the output gradient and copies the returned gradients into
/// the graph after <see cref="backward"/> returns, but disposes neither: left to the caller's dispose scope or the GC they
/// would keep every convolution's gradients alive until the training step ends. So the
/// output gradient is disposed here, and the returned gradients are disposed at this thread's next backward call, when the
/// graph has long taken its own references.
/// </remarks>
internal sealed class GemmWeightGradientConvolutionFunction : autograd.SingleTensorFunction<GemmWeightGradientConvolutionFunction>
{
    private const string PaddingKey = "padding";
    private const string InputGradKey = "input_requires_grad";
    private const string WeightGradKey = "weight_requires_grad";

    [ThreadStatic]
    private static List<Tensor>? returnedLastTime;

    /// <inheritdoc/>
    public override string Name => nameof(GemmWeightGradientConvolution);

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var padding = (long)vars[2];
        ctx.save_for_backward([input, weight]);
        ctx.save_data(PaddingKey, padding);
        ctx.save_data(InputGradKey, input.requires_grad);
        ctx.save_data(WeightGradKey, weight.requires_grad);
        return nn.functional.conv3d(input, weight, padding: [padding, padding, padding]);
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
            gradInput = nn.functional.conv_transpose3d(grad_output, weight, padding: [padding, padding, padding]).DetachFromDisposeScope();
        }

        if ((bool)ctx.get_data(WeightGradKey))
        {
            gradWeight = GemmWeightGradientConvolution.WeightGradient(input, grad_output, (int)weight.shape[2]).DetachFromDisposeScope();
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
        return [gradInput!, gradWeight!, null!];
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
