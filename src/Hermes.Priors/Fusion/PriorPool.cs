using Hermes.Abstractions;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Priors.Fusion;

/// <summary>
/// Learnable task table <c>[tn + 1, dim]</c> (last row = null token) and modality table <c>[mn, l, dim]</c>, both
/// Xavier-uniform initialised as in the reference (the model builders then apply their
/// <see cref="TaskPriorInitialization"/> to the task tables). State-dict names: <c>task_prior</c>, <c>modality_prior</c>.
/// </summary>
public sealed class PriorPool : nn.Module<PriorRequest, Tensor>, IPriorPool
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Parameter task_prior;
    private readonly Parameter modality_prior;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the two tables.</summary>
    /// <param name="dim">Token width.</param>
    /// <param name="taskCount">Task vocabulary size tn (the table gets tn + 1 rows).</param>
    /// <param name="modalityCount">Number of modalities mn.</param>
    /// <param name="tokensPerModality">Tokens per modality l (10 in Hermes).</param>
    public PriorPool(int dim, int taskCount, int modalityCount, int tokensPerModality = 10)
        : base(nameof(PriorPool))
    {
        HermesRuntime.EnsureInitialized();
        (task_prior, modality_prior) = CreateTables(dim, taskCount, modalityCount, tokensPerModality);
        Dim = dim;
        TaskCount = taskCount;
        ModalityCount = modalityCount;
        TokensPerModality = tokensPerModality;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public int Dim { get; }

    /// <inheritdoc/>
    public int TaskCount { get; }

    /// <inheritdoc/>
    public int ModalityCount { get; }

    /// <inheritdoc/>
    public int TokensPerModality { get; }

    /// <inheritdoc/>
    public Tensor Select(PriorRequest request) => PriorSelection.Select(task_prior, modality_prior, request);

    /// <inheritdoc/>
    public override Tensor forward(PriorRequest input) => Select(input);

    /// <summary>Creates Xavier-uniform task and modality tables (shared by every prior-owning layer).</summary>
    /// <param name="dim">Token width.</param>
    /// <param name="taskCount">tn.</param>
    /// <param name="modalityCount">mn.</param>
    /// <param name="tokensPerModality">l.</param>
    internal static (Parameter Task, Parameter Modality) CreateTables(int dim, int taskCount, int modalityCount, int tokensPerModality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(taskCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(modalityCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokensPerModality, 1);
        var task = new Parameter(empty(taskCount + 1, dim));
        var modality = new Parameter(empty(modalityCount, tokensPerModality, dim));
        using (no_grad())
        {
            nn.init.xavier_uniform_(task);
            nn.init.xavier_uniform_(modality);
        }

        return (task, modality);
    }
}
