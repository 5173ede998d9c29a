using Hermes.Abstractions;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Priors.Fusion;

/// <summary>
/// Hermes-R prior fusion at one scale: selects this layer's own task and modality priors, runs a stack of
/// <see cref="PriorAttentionBlock"/>s over (feature tokens, priors) and returns the fused map and the posteriors.
/// </summary>
/// <remarks>
/// State-dict names: <c>task_prior</c> <c>[tn + 1, dim]</c>, <c>modality_prior</c> <c>[mn, l, dim]</c>,
/// <c>attn_layers.{i}.…</c>. Heads = dim / 32 with 32 channels each (inner width 32·(dim / 32)).
/// </remarks>
public sealed class PriorInitFusionLayer : nn.Module<Tensor, PriorRequest, (Tensor Features, Tensor Posterior)>, IPriorFusion, IPriorPool
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Parameter task_prior;
    private readonly Parameter modality_prior;
    private readonly ModuleList<PriorAttentionBlock> attn_layers;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the layer.</summary>
    /// <param name="dim">Feature width.</param>
    /// <param name="blocks">Number of attention blocks (2, or 4 at the Hermes-R bottleneck).</param>
    /// <param name="taskCount">Task vocabulary size tn.</param>
    /// <param name="modalityCount">Number of modalities mn.</param>
    /// <param name="tokensPerModality">Tokens per modality l (10).</param>
    /// <param name="dimHead">Width per attention head (32); heads = max(1, dim / dimHead).</param>
    public PriorInitFusionLayer(int dim, int blocks, int taskCount, int modalityCount, int tokensPerModality = 10, int dimHead = 32)
        : base(nameof(PriorInitFusionLayer))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimHead, 1);
        (task_prior, modality_prior) = PriorPool.CreateTables(dim, taskCount, modalityCount, tokensPerModality);
        var heads = Math.Max(1, dim / dimHead);
        attn_layers = new ModuleList<PriorAttentionBlock>(
            Enumerable.Range(0, blocks).Select(_ => new PriorAttentionBlock(dim, heads, dimHead)).ToArray());
        Dim = dim;
        TaskCount = taskCount;
        ModalityCount = modalityCount;
        TokensPerModality = tokensPerModality;
        RegisterComponents();
    }

    /// <inheritdoc cref="IPriorFusion.Dim"/>
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
    public (Tensor Features, Tensor Posterior) Fuse(Tensor features, PriorRequest request) => forward(features, request);

    /// <inheritdoc/>
    public override (Tensor Features, Tensor Posterior) forward(Tensor input, PriorRequest request)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(request);
        if (input.dim() != 5 || input.shape[1] != Dim)
        {
            throw new ArgumentException(
                $"Prior fusion expects [B, {Dim}, D, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        using var scope = NewDisposeScope();
        var shape = input.shape;
        var priors = Select(request);
        var tokens = input.flatten(2).transpose(1, 2);
        foreach (var block in attn_layers)
        {
            (tokens, priors) = block.forward(tokens, priors);
        }

        // Back to the standard (channels-first contiguous) layout: a channels-last view would send every following
        // convolution down LibTorch's channels-last paths.
        var fused = tokens.transpose(1, 2).contiguous().view(shape);
        scope.MoveToOuter(fused, priors);
        return (fused, priors);
    }
}
