using BenchmarkDotNet.Running;

// BenchmarkDotNet: ./build.sh bench '*Conv3d*'  (or: dotnet run -c Release --project benchmarks/Hermes.Benchmarks -- --filter '*')
// Peak-RSS console mode (a fresh process per run): dotnet run -c Release --project benchmarks/Hermes.Benchmarks -- prediction-memory [options]
if (args.Length > 0 && args[0] == "prediction-memory")
{
    return Hermes.Benchmarks.Inference.PredictionMemoryBenchmark.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Hermes.Benchmarks.Runtime.Conv3dThroughputBenchmarks).Assembly).Run(args);
return 0;
