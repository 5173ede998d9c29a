// Model tests seed LibTorch's process-wide default generator (torch.random.manual_seed) and then build models whose
// initial weights are drawn from it; parity, extension and training tests compare such models with each other or with a
// second build from the same seed. Test classes running at the same time would interleave their draws, so the classes of
// this assembly run one at a time (test assemblies still run in parallel, each in its own process). LibTorch's intra-op
// thread count is not pinned: training and inference use every core (MultiThreadedTrainingTests).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
