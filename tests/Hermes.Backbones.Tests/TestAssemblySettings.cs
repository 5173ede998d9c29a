// LibTorch's intra-op thread count, default generator and allocator are process-wide: test classes that change the
// thread count (the single-thread training and extension collections) or train while another class runs convolutions
// on the same LibTorch thread pool made end-to-end training nondeterministic and intermittently NaN. Model tests in
// this assembly therefore run one class at a time (test assemblies still run in parallel, each in its own process).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
