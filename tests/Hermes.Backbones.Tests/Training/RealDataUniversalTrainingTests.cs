using System.Diagnostics;
using System.Globalization;
using Hermes.Abstractions;
using Hermes.Data;
using Hermes.Priors.Losses;
using Hermes.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

/// <summary>
/// Universal training on real, partially labelled data of two modalities (issue #5): hippocampus MR (anterior, posterior)
/// and spleen CT (spleen) from ../shared/data go through the whole data pipeline (manifest, catalog, preprocessing cache,
/// weighted mixed batches padded with the null task, background prefetching) into a small Hermes-R.
/// </summary>
public sealed class RealDataUniversalTrainingTests(HippocampusSpleenCases data, ITestOutputHelper log) : IClassFixture<HippocampusSpleenCases>
{
    private const ulong BatchSeed = 2024;

    // Training patches (D, H, W) on the RAS+ 1.5 mm grid (hippocampus cases become ≈ 21–27 × 32–35 × 23–26 voxels, the
    // spleen case 87 × 88 × 87).
    private static readonly int[] TrainingPatch = [32, 32, 32];

    // Validation patches: one of them holds a whole hippocampus case (at most 29 × 39 × 31 voxels at 1.5 mm), so the
    // hippocampus Dice is whole-case Dice; the spleen case is scored on patches that contain spleen.
    private static readonly int[] WholeHippocampusPatch = [32, 48, 32];

    // Every model seed the test claims. 90 steps with the learning rate decaying to 0 (poly, as the reference schedules it):
    // at a constant rate the model scored is wherever the last few noisy steps left it — on a CI machine the spleen Dice of
    // seed 8 ended at 0.53 after a loss spike on the final step (elsewhere 0.93–0.95), and one path left seed 7's anterior
    // label at 0.21. With the decay every run tried (seeds 7–12; Auto, LibTorch's and Hermes' forced kernels; 1 and 2
    // threads) ended at ≥ 0.74 (hippocampus) and ≥ 0.95 (spleen); at 60 steps seed 12 still ended at 0.42 for one label.
    [SkippableTheory]
    [Trait("Category", "Learning")]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public async Task HippocampusMrAndSpleenCtTrainTogetherLossFallsAndTrainingDiceRises(int modelSeed)
    {
        const int steps = 90;
        const int k = 8;
        var cases = data.Cases();
        var wall = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var validation = ValidationBatches(cases);
        try
        {
            var source = TrainingSource(cases);
            using var model = TrainingFixture.SmallHermesR(modelSeed, data.TaskCount, data.ModalityCount);
            using var lamb = new LambOptimizer(model.parameters(), new LambOptions { LearningRate = 0.01 });
            var options = new TrainerOptions
            {
                Epochs = 1, StepsPerEpoch = steps, Seed = 3, ValidateEveryEpochs = 0, ValidateLastEpochs = 0,
            };
            var decay = new WarmupDecaySchedule(new WarmupDecayOptions { BaseLearningRate = 0.01, WarmupEpochs = 0, TotalEpochs = steps, StepsPerEpoch = 1 });
            using var trainer = new Trainer(model, HermesLoss.Create(data.TaskCount).Terms, lamb, options, decay,
                validator: new PatchDiceValidator(validation));

            var before = trainer.Validate()!;
            var progress = new TrainingFixture.ListProgress();
            await trainer.RunAsync(source, progress); // batches come from the background prefetcher
            var after = trainer.Validate()!;

            var losses = progress.Steps.Select(p => p.Loss).ToArray();
            var drawn = Enumerable.Range(0, steps).Select(i => source.CasesOf(i).Select(n => n.Split('/')[0]).ToArray()).ToArray();
            var mixed = drawn.Count(d => d.Distinct().Count() == 2);
            var spleenShare = drawn.SelectMany(d => d).Count(d => d == HippocampusSpleenCases.Spleen) / (2.0 * steps);
            var early = losses.Take(k).Average();
            var late = losses.TakeLast(k).Average();
            log.WriteLine($"losses: {string.Join(", ", losses.Select(l => l.ToString("F3", CultureInfo.InvariantCulture)))}");
            log.WriteLine($"mean loss: first {k} steps {early:F3}, last {k} steps {late:F3}");
            log.WriteLine($"batches mixing both datasets: {mixed}/{steps}; spleen samples {spleenShare:P0}");
            log.WriteLine($"training-case Dice before: {Describe(before)}");
            log.WriteLine($"training-case Dice after:  {Describe(after)}");
            log.WriteLine($"model seed {modelSeed}: wall {wall.Elapsed.TotalSeconds:F1} s, process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s ({get_num_threads()} LibTorch threads), preprocessing {data.PreprocessingSeconds:F1} s");

            Assert.Equal(steps, losses.Length);
            Assert.All(losses, l => Assert.True(double.IsFinite(l), $"non-finite loss in {string.Join(", ", losses)}"));
            Assert.True(mixed >= steps / 4, $"only {mixed} of {steps} batches mixed MR and CT samples");
            // Per-batch losses are noisy (case mix, patch content). Measured (AMD EPYC AVX2; Auto, LibTorch's and Hermes' forced
            // kernels; 1 and 2 threads), first → last 8 steps: 1.29–1.41 → 0.23–0.29.
            Assert.True(late < 0.6 * early, $"loss did not fall: first {k} steps {early:F4}, last {k} steps {late:F4}");

            long[] tasks = [data.Anterior, data.Posterior, data.SpleenTask];
            Assert.Equal(tasks, before.TaskDice.Keys.Order().ToArray());
            Assert.Equal(tasks, after.TaskDice.Keys.Order().ToArray());
            // Before training every logit is near 0, so the untrained Dice is a coin toss of signs: ≈ 0.01–0.05 for the small
            // hippocampus labels, 0.34–0.69 for the spleen patches (mostly spleen) — and it moved with the CPU (seed 8: 0.61 here,
            // 0.48 on a CI machine). So each task must reach a level, not a rise over that toss, and the mean must rise.
            // Measured after 90 steps (the runs above): anterior 0.74–0.82, posterior 0.77–0.81, spleen 0.95–0.96; mean rise
            // ≥ 0.60. With HERMES_CONV3D_WEIGHT_GRADIENT=libtorch (Auto's choice on AVX-512 CPUs without the cap) seed 8's
            // anterior label ended at 0.59, so the hippocampus level is 0.45.
            Assert.True(after.MeanDice > before.MeanDice + 0.3, $"training Dice did not rise: before {Describe(before)}, after {Describe(after)}");
            foreach (var (task, level) in new[] { (data.Anterior, 0.45), (data.Posterior, 0.45), (data.SpleenTask, 0.85) })
            {
                Assert.True(after.TaskDice[task] > level,
                    $"{data.Catalog.Vocabulary.Tasks[(int)task]}: Dice after training is not above {level}: before {Describe(before)}, after {Describe(after)}");
            }
        }
        finally
        {
            validation.ForEach(b => b.Dispose());
        }
    }

    [SkippableFact]
    public void AbsentTasksAndModalitiesReceiveNoGradientFromASample()
    {
        var cases = data.Cases();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var source = TrainingSource(cases);
        var index = Enumerable.Range(0, 100).First(i => source.CasesOf(i).Select(n => n.Split('/')[0]).Distinct().Count() == 2);
        var names = source.CasesOf(index);
        using var batch = source.GetBatch(index);
        using var model = TrainingFixture.SmallHermesR(11, data.TaskCount, data.ModalityCount);
        model.train();

        // The per-task parameters of Hermes-R are the task prior tables [tn + 1, dim], one per fused scale; the posterior
        // head's kernels are computed per task column from those scales' posteriors with shared weights.
        var taskTables = model.named_parameters().Where(p => p.name.EndsWith("task_prior", StringComparison.Ordinal)).ToArray();
        var modalityTables = model.named_parameters().Where(p => p.name.EndsWith("modality_prior", StringComparison.Ordinal)).ToArray();
        Assert.Equal(5, taskTables.Length);
        Assert.Equal(5, modalityTables.Length);
        Assert.All(taskTables, t => Assert.Equal(data.TaskCount + 1, t.parameter.shape[0]));

        long[] allTasks = [data.Anterior, data.Posterior, data.SpleenTask];
        for (var b = 0; b < batch.Size; b++)
        {
            using var scope = NewDisposeScope();
            var dataset = names[b].Split('/')[0];
            var present = data.Catalog.TaskIds(dataset);
            var absent = allTasks.Except(present).Append(data.TaskCount - 1).ToArray(); // + the silenced id, never requested
            var modality = data.Catalog.ModalityId(dataset);
            var taskRow = batch.TaskIndices[b].data<long>().ToArray();
            Assert.Equal(present.Concat(Enumerable.Repeat(TaskVocabulary.NullTask, taskRow.Length - present.Length)), taskRow);

            // The loss of this sample alone, on a batch of one, differentiated explicitly.
            var tasks = batch.TaskIndices[b..(b + 1)];
            var output = model.forward(batch.Image[b..(b + 1)], tasks, batch.Modality[b..(b + 1)]);
            var input = new LossInput(output.Logits, batch.Labels[b..(b + 1)], tasks, output.ModalityLogits, batch.Modality[b..(b + 1)], output.AuxiliaryLogits);
            var loss = HermesLoss.Create(data.TaskCount).Terms.Select(t => t.Term.Compute(input).mul(t.Weight)).Aggregate((x, y) => x.add(y));
            Tensor[] wrt = [.. taskTables.Select(t => (Tensor)t.parameter), .. modalityTables.Select(t => (Tensor)t.parameter), output.Logits];
            var grads = autograd.grad([loss], wrt);

            for (var s = 0; s < taskTables.Length; s++)
            {
                var g = grads[s];
                foreach (var task in absent)
                {
                    var largest = g[task].abs().max().ToSingle();
                    Assert.True(largest == 0f, $"{names[b]}: absent task {task} got gradient {largest} in {taskTables[s].name}");
                }

                foreach (var task in present)
                {
                    Assert.True(g[task].abs().max().ToSingle() > 0f, $"{names[b]}: task {task} got no gradient in {taskTables[s].name}");
                }

                var m = grads[taskTables.Length + s];
                Assert.True(m[1 - modality].abs().max().ToSingle() == 0f, $"{names[b]}: the other modality got gradient in {modalityTables[s].name}");
                Assert.True(m[modality].abs().max().ToSingle() > 0f, $"{names[b]}: its modality got no gradient in {modalityTables[s].name}");
            }

            // Null (padding) columns carry no loss: their logits, hence their posterior kernels, get no gradient.
            var perColumn = grads[^1][0].abs().flatten(1).amax(1).data<float>().ToArray();
            for (var t = 0; t < taskRow.Length; t++)
            {
                Assert.True((taskRow[t] < 0) == (perColumn[t] == 0f), $"{names[b]}: column {t} (task {taskRow[t]}) has largest logit gradient {perColumn[t]}");
            }

            var nullRow = grads.Take(taskTables.Length).Max(g => g[data.TaskCount].abs().max().ToSingle());
            log.WriteLine($"{names[b]} (CPU so far {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s): tasks [{string.Join(", ", taskRow)}]; absent task rows [{string.Join(", ", absent)}] exactly zero at all {taskTables.Length} scales; largest logit gradient per column [{string.Join(", ", perColumn.Select(v => v.ToString("E2", CultureInfo.InvariantCulture)))}]; null-token row (a learnt attention token) {nullRow:E2}");
        }
    }

    [SkippableFact]
    public void EachSampleCarriesOnlyItsDatasetsTasksWithTheRightLabelValues()
    {
        var cases = data.Cases();
        var source = TrainingSource(cases);
        var rows = 0;
        for (var i = 0; i < 12; i++)
        {
            using var scope = NewDisposeScope();
            var names = source.CasesOf(i);
            using var batch = source.GetBatch(i);
            batch.Validate();
            var width = (int)batch.TaskIndices.shape[1];
            var tasks = batch.TaskIndices.data<long>().ToArray();
            for (var b = 0; b < batch.Size; b++)
            {
                var dataset = names[b].Split('/')[0];
                var present = data.Catalog.TaskIds(dataset);
                var row = tasks[(b * width)..((b + 1) * width)];
                // A hippocampus sample has no spleen column (and a spleen sample no hippocampus column): absent tasks are
                // never stood in for by an all-background mask; the row is padded with the null task only.
                Assert.Equal(present.Concat(Enumerable.Repeat(TaskVocabulary.NullTask, width - present.Length)), row);
                for (var t = present.Length; t < width; t++)
                {
                    Assert.Equal(0L, batch.Labels[b, t].sum().ToInt64());
                }

                rows++;
            }
        }

        Assert.Equal(24, rows);

        // Whole cases in one patch: each task column holds exactly the voxels of its dataset's label value (anterior and
        // posterior counts differ, so swapped or shifted values would be caught).
        foreach (var c in new[] { cases[0], cases[^1] })
        {
            using var scope = NewDisposeScope();
            int[] patch = [.. c.Shape.Skip(1).Select(s => ((s + 15) / 16) * 16)];
            var whole = new TrainingBatchSource(data.Catalog, [c], new TrainingBatchOptions { BatchSize = 1, PatchSize = patch, Seed = 1, MaxParallelism = 1 });
            using var batch = whole.GetBatch(0);
            var labels = data.Catalog[c.Dataset].Labels;
            Assert.Equal(data.Catalog.TaskIds(c.Dataset).Append(TaskVocabulary.NullTask), batch.TaskIndices[0].data<long>().ToArray());
            for (var t = 0; t < labels.Count; t++)
            {
                Assert.Equal(c.VoxelCounts[labels[t].Value], batch.Labels[0, t].sum().ToInt64());
            }

            Assert.Equal(c.VoxelCounts.Values.Sum(), batch.Labels[0].sum().ToInt64()); // columns are disjoint
            log.WriteLine($"{c.Dataset}/{c.CaseId}: {string.Join(", ", labels.Select(l => $"{l.Task} (value {l.Value}) = {c.VoxelCounts[l.Value]} voxels"))}");
        }
    }

    private TrainingBatchSource TrainingSource(IReadOnlyList<PreprocessedCase> cases) => new(data.Catalog, cases, new TrainingBatchOptions
    {
        BatchSize = 2, PatchSize = TrainingPatch, ForegroundRatio = 0.5, Seed = BatchSeed, MaxParallelism = 2,
    });

    /// <summary>Every hippocampus case whole (one patch each) and three spleen patches that contain spleen.</summary>
    private List<TrainingBatch> ValidationBatches(IReadOnlyList<PreprocessedCase> cases)
    {
        var batches = new List<TrainingBatch>();
        foreach (var c in cases)
        {
            Assert.True(c.Dataset == HippocampusSpleenCases.Spleen || c.Shape.Skip(1).Zip(WholeHippocampusPatch).All(p => p.First <= p.Second),
                $"{c.CaseId} [{string.Join(", ", c.Shape)}] does not fit one validation patch");
            var single = new TrainingBatchSource(data.Catalog, [c], new TrainingBatchOptions
            {
                BatchSize = 1, PatchSize = WholeHippocampusPatch, ForegroundRatio = 1, Seed = 77, MaxParallelism = 1,
            });
            var count = c.Dataset == HippocampusSpleenCases.Spleen ? 3 : 1;
            for (var i = 0; i < count; i++)
            {
                batches.Add(single.GetBatch(i));
            }
        }

        return batches;
    }

    private string Describe(ValidationReport r) =>
        $"mean {r.MeanDice:F3} [{string.Join(", ", r.TaskDice.OrderBy(t => t.Key).Select(t => $"{data.Catalog.Vocabulary.Tasks[(int)t.Key]} {t.Value:F3}"))}]";
}
