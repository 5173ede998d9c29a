using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

/// <summary>
/// Training tests run LibTorch on one intra-op thread (here for the test thread; <see cref="Hermes.Training.TrainerOptions.Threads"/>
/// for the trainer's steps, which may run on thread-pool threads): with two threads, CPU backward passes of Hermes-R were
/// observed to differ from run to run (≈1e-4 in the loss after one step) and intermittently gave NaN losses. The
/// collection also keeps the training classes from running concurrently.
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
