using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>
/// Learnable task and modality prior tables at one feature width, with per-sample selection.
/// </summary>
/// <remarks>
/// The task table has <c>TaskCount + 1</c> rows; index −1 (padding) selects the last row, the null token. The modality
/// table has <c>ModalityCount</c> entries of <see cref="TokensPerModality"/> tokens each; index −1 selects the last
/// modality (the "unknown" slot). Both translations are explicit, since <c>index_select</c> rejects negative indices.
/// </remarks>
public interface IPriorPool
{
    /// <summary>Token width.</summary>
    int Dim { get; }

    /// <summary>Task vocabulary size tn (the table has tn + 1 rows).</summary>
    int TaskCount { get; }

    /// <summary>Number of modalities mn.</summary>
    int ModalityCount { get; }

    /// <summary>Tokens per modality l.</summary>
    int TokensPerModality { get; }

    /// <summary>
    /// Selects the priors of each sample: <c>[B, T + l, Dim]</c>, task tokens first, then the modality tokens.
    /// </summary>
    /// <param name="request">Task indices <c>[B, T]</c> and modality indices <c>[B, 1]</c>.</param>
    Tensor Select(PriorRequest request);
}
