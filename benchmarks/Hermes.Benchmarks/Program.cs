using BenchmarkDotNet.Running;

// Peak-RSS console mode (a fresh process per run): dotnet run -c Release --project benchmarks/Hermes.Benchmarks -- prediction-memory
if (args.Length > 0 && args[0] == "prediction-memory")
{
    return Hermes.Benchmarks.Inference.PredictionMemoryBenchmark.Run(args[1..]);
}

// Run with: ./build.sh bench '*Conv3d*'   (or: dotnet run -c Release --project benchmarks/Hermes.Benchmarks -- --filter '*')
BenchmarkSwitcher.FromAssembly(typeof(Hermes.Benchmarks.Runtime.Conv3dThroughputBenchmarks).Assembly).Run(args);
return 0;
