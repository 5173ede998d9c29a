namespace Hermes.Priors.Fusion;

/// <summary>How the rows of the task prior tables (<c>task_prior</c>, one table per fused scale) start before training.</summary>
/// <remarks>
/// The reference initialises every table Xavier-uniform (reference §3): at width 128 with 73 rows a task token has a
/// standard deviation of 0.1, smaller than the updates the attention blocks add to it from the image, which are the same
/// for every task. The posterior head then turns nearly equal tokens into nearly equal kernels, and a model whose tasks
/// share images (hippocampus anterior and posterior) first learns their union for both and sits on that plateau until
/// the tokens drift apart — 100–200 steps of the quick hippocampus run, depending on the seed and the float32 rounding
/// (docs/training.md, "The two-label plateau"). Unit-variance rows, the usual initialisation of an embedding table,
/// keep each task's identity the largest part of its token from the first step.
/// </remarks>
public enum TaskPriorInitialization
{
    /// <summary>Rows drawn from N(0, 1) (PyTorch's <c>nn.Embedding</c> default): Hermes.NET's default.</summary>
    UnitNormal,

    /// <summary>Xavier-uniform over the whole table, bound √(6 / (dim + tn + 1)): the reference's initialisation.</summary>
    XavierUniform,
}
