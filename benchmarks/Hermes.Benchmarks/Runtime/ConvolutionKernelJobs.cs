using BenchmarkDotNet.Jobs;
using Hermes.Benchmarks.Models;
using Hermes.Runtime;

namespace Hermes.Benchmarks.Runtime;

/// <summary>
/// The convolution-kernel comparison, side by side in one run: one job (process) each for <c>Auto</c>, LibTorch's forward
/// and input gradient with the GEMM weight gradient (<c>HERMES_CONV3D_FORWARD=libtorch</c>: the training path before
/// <see cref="Operations.TrainingConvolution"/> ran the Winograd kernel), and LibTorch's convolution throughout (both switches
/// <c>libtorch</c>). Selected with <c>HERMES_BENCH_KERNELS=1</c>.
/// </summary>
internal static class ConvolutionKernelJobs
{
    /// <summary>Whether <c>HERMES_BENCH_KERNELS=1</c> asks for the kernel comparison.</summary>
    public static bool Requested => Environment.GetEnvironmentVariable("HERMES_BENCH_KERNELS") == "1";

    /// <summary>The three jobs from <paramref name="job"/>, <c>Auto</c> first and marked as the baseline.</summary>
    /// <param name="job">The job to derive them from (counts, launches).</param>
    public static IEnumerable<Job> From(Job job) =>
    [
        Named(job, "auto", Kernels("auto", "auto")).AsBaseline(),
        Named(job, "libtorch-forward", Kernels("libtorch", "auto")),
        Named(job, "libtorch", Kernels("libtorch", "libtorch")),
    ];

    /// <summary>The job with its id, also given to its process (<see cref="PeakRssColumn.JobVariable"/>) to key its peak RSS.</summary>
    /// <param name="job">The job.</param>
    /// <param name="id">Its id.</param>
    /// <param name="variables">The environment of its process.</param>
    public static Job Named(Job job, string id, EnvironmentVariable[] variables) =>
        job.WithEnvironmentVariables([.. variables, new EnvironmentVariable(PeakRssColumn.JobVariable, id)]).WithId(id);

    private static EnvironmentVariable[] Kernels(string forward, string weightGradient) =>
    [
        new(HermesRuntimeOptions.Conv3dForwardVariable, forward),
        new(HermesRuntimeOptions.Conv3dWeightGradientVariable, weightGradient),
    ];
}
