using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Hermes.Benchmarks.Volumes.SyntheticCt).Assembly).Run(args);
