using System.Diagnostics;
using System.Globalization;
using Hermes.Data;
using Hermes.Training;
using Microsoft.Extensions.Logging;

namespace Hermes.Experiments;

/// <summary>
/// Records a run as it trains (loss and learning rate per step, validation Dice per validation, wall-clock times) and logs
/// a line every <see cref="LogEvery"/> steps. Reported synchronously on the training thread.
/// </summary>
/// <param name="catalog">The catalog (task names of validation reports).</param>
/// <param name="logger">Logger for the progress lines.</param>
public sealed class TrainingCurve(TaskCatalog catalog, ILogger logger) : IProgress<TrainingProgress>
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<StepPoint> steps = [];
    private readonly List<ValidationPoint> validations = [];

    /// <summary>Log a progress line every this many steps.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>Every step: (step, loss, learning rate, seconds since the curve started).</summary>
    public IReadOnlyList<StepPoint> Steps => steps;

    /// <summary>Every validation: (step, mean Dice, Dice per task name).</summary>
    public IReadOnlyList<ValidationPoint> Validations => validations;

    /// <summary>Median wall time of one training step (validation steps excluded by the median), in seconds.</summary>
    public double SecondsPerStep
    {
        get
        {
            if (steps.Count < 2)
            {
                return steps.Count == 1 ? steps[0].Seconds : double.NaN;
            }

            var intervals = steps.Zip(steps.Skip(1), (a, b) => b.Seconds - a.Seconds).Order().ToArray();
            return intervals[intervals.Length / 2];
        }
    }

    /// <summary>
    /// Median processor time (all threads of the process) of one training step, in seconds. Unlike
    /// <see cref="SecondsPerStep"/> it hardly depends on other load on the machine: with one LibTorch thread it
    /// estimates the wall time of a step on an idle core.
    /// </summary>
    public double CpuSecondsPerStep
    {
        get
        {
            if (steps.Count < 2)
            {
                return double.NaN;
            }

            var intervals = steps.Zip(steps.Skip(1), (a, b) => b.CpuSeconds - a.CpuSeconds).Order().ToArray();
            return intervals[intervals.Length / 2];
        }
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var ic = CultureInfo.InvariantCulture;
        if (value.Validation is { } v)
        {
            var perTask = v.TaskDice.ToDictionary(kv => catalog.Vocabulary.Tasks[(int)kv.Key], kv => kv.Value, StringComparer.Ordinal);
            validations.Add(new ValidationPoint(value.Step, v.MeanDice, perTask));
            logger.LogInformation("validation at step {Step}: mean Dice {Dice} ({Tasks})", value.Step, v.MeanDice.ToString("F4", ic),
                string.Join(", ", perTask.Select(kv => $"{kv.Key} {kv.Value.ToString("F3", ic)}")));
            return;
        }

        steps.Add(new StepPoint(value.Step, value.Loss, value.LearningRate, clock.Elapsed.TotalSeconds, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds));
        if (value.Step % LogEvery == 0 || value.Step == value.TotalSteps)
        {
            var recent = steps.TakeLast(LogEvery).Average(s => s.Loss);
            logger.LogInformation("step {Step}/{Total}  loss {Loss} (mean of last {N})  lr {Lr}  {SecondsPerStep} s/step ({CpuSecondsPerStep} CPU s/step)  eta {Eta}",
                value.Step, value.TotalSteps, recent.ToString("F4", ic), Math.Min(LogEvery, steps.Count), value.LearningRate.ToString("G3", ic),
                SecondsPerStep.ToString("F3", ic), CpuSecondsPerStep.ToString("F3", ic), value.Eta?.ToString(@"hh\:mm\:ss", ic) ?? "?");
        }
    }

    /// <summary>Writes the curve as CSV: <c>kind,step,value,task</c> (kind = loss, lr or dice; task empty for loss/lr/mean).</summary>
    /// <param name="path">The file.</param>
    public void WriteCsv(string path)
    {
        var ic = CultureInfo.InvariantCulture;
        using var w = new StreamWriter(path);
        w.WriteLine("kind,step,value,task");
        foreach (var s in steps)
        {
            w.WriteLine(string.Create(ic, $"loss,{s.Step},{s.Loss:R},"));
            w.WriteLine(string.Create(ic, $"lr,{s.Step},{s.LearningRate:R},"));
        }

        foreach (var v in validations)
        {
            w.WriteLine(string.Create(ic, $"dice,{v.Step},{v.MeanDice:R},mean"));
            foreach (var (task, dice) in v.TaskDice)
            {
                w.WriteLine(string.Create(ic, $"dice,{v.Step},{dice:R},{task}"));
            }
        }
    }
}
