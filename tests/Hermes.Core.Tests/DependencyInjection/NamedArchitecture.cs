using Hermes.Abstractions;
using Hermes.DependencyInjection;

namespace Hermes.Core.Tests.DependencyInjection;

/// <summary>An architecture that is only named, <c>stride8</c> (options validation never builds a model).</summary>
internal sealed class NamedArchitecture : IModelArchitecture
{
    public string Name => "stride8";

    public int Stride => 8;

    public int MinimumPatchSize => 16;

    public UniversalSegmenter Create(HermesOptions options, int taskCount, int modalityCount) => throw new NotSupportedException();
}
