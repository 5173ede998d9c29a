using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "prediction-memory")
{
    return Hermes.Benchmarks.Inference.PredictionMemoryBenchmark.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Hermes.Benchmarks.Volumes.SyntheticCt).Assembly).Run(args);
return 0;
