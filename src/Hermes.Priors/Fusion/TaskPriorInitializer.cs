using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Fusion;

/// <summary>Applies a <see cref="TaskPriorInitialization"/> to every task prior table of a model.</summary>
public static class TaskPriorInitializer
{
    /// <summary>The state-dict name every task prior table ends with (reference §3).</summary>
    public const string TableName = "task_prior";

    /// <summary>
    /// Re-initialises every parameter named <c>…task_prior</c> of <paramref name="model"/> as <paramref name="scheme"/>
    /// says, drawing from LibTorch's default generator. <see cref="TaskPriorInitialization.XavierUniform"/> leaves the
    /// tables as the layers created them (Xavier-uniform) and draws nothing.
    /// </summary>
    /// <param name="model">A freshly built model (Hermes-R, Hermes-M or one composed of the same prior layers).</param>
    /// <param name="scheme">The initialisation.</param>
    /// <returns>The number of tables re-initialised.</returns>
    public static int Apply(nn.Module model, TaskPriorInitialization scheme)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(scheme))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, $"Unknown task prior initialisation {scheme}; expected one of {string.Join(", ", Enum.GetNames<TaskPriorInitialization>())}.");
        }

        if (scheme == TaskPriorInitialization.XavierUniform)
        {
            return 0;
        }

        var count = 0;
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name == TableName || name.EndsWith("." + TableName, StringComparison.Ordinal))
            {
                nn.init.normal_(parameter, 0.0, 1.0);
                count++;
            }
        }

        return count;
    }
}
