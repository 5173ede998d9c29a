using Hermes.Abstractions;

namespace Hermes.DependencyInjection;

/// <summary>
/// A model architecture selectable by name through <see cref="HermesOptions.Backbone"/>: builds a
/// <see cref="UniversalSegmenter"/> from options. Register one with <c>AddBackbone&lt;T&gt;()</c>.
/// </summary>
public interface IModelArchitecture
{
    /// <summary>The name options refer to (case-insensitive), e.g. <c>resunet</c>.</summary>
    string Name { get; }

    /// <summary>The total downsampling factor: every patch axis must be a positive multiple of it.</summary>
    int Stride { get; }

    /// <summary>The smallest patch size per axis the architecture runs on (e.g. 32 for Hermes-R: a 1/16 bottleneck of at least 2 voxels).</summary>
    int MinimumPatchSize { get; }

    /// <summary>Builds a randomly initialised model.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="taskCount">Rows of the task prior table (the vocabulary's task count + 1 for the pad id).</param>
    /// <param name="modalityCount">Rows of the modality prior table.</param>
    UniversalSegmenter Create(HermesOptions options, int taskCount, int modalityCount);
}
