using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

/// <summary>
/// Training tests run LibTorch on one intra-op thread: with two threads, CPU backward passes of Hermes-R were observed
/// to differ from run to run (≈1e-4 in the loss after one step), which would defeat bit-exact resume checks.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SingleThreadCollection : ICollectionFixture<SingleThreadCollection.Fixture>
{
    public const string Name = "Training on one thread";

    public sealed class Fixture
    {
        public Fixture() => set_num_threads(1);
    }
}
