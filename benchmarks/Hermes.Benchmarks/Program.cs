using BenchmarkDotNet.Running;

// Run with: ./build.sh bench '*Conv3d*'   (or: dotnet run -c Release --project benchmarks/Hermes.Benchmarks -- --filter '*')
BenchmarkSwitcher.FromAssembly(typeof(Hermes.Benchmarks.Runtime.Conv3dThroughputBenchmarks).Assembly).Run(args);
