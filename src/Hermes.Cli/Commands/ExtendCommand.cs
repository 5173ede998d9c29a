using System.CommandLine;
using Hermes.Checkpoints;
using Hermes.Runtime;
using Hermes.Transfer;
using TorchSharp;

namespace Hermes.Cli.Commands;

/// <summary>
/// <c>hermes extend --model M.safetensors --add-task NAME[=FROM] --add-modality NAME[=FROM] [--output OUT.safetensors]</c>:
/// appends tasks and modalities to a trained model (every prior table of every scale grows, every existing weight is
/// kept, old tasks keep bit-identical outputs) and writes the model with its updated sidecar.
/// </summary>
internal static class ExtendCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The trained model's .safetensors (its .json sidecar beside it).", Required = true };
        var tasks = new Option<string[]>("--add-task") { Description = "A new task: NAME, or NAME=EXISTING_TASK to start from that task's priors. Repeatable.", AllowMultipleArgumentsPerToken = true };
        var modalities = new Option<string[]>("--add-modality") { Description = "A new modality: NAME, or NAME=EXISTING_MODALITY. Repeatable.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output") { Description = "Where to write the extended model (default: <model>-extended.safetensors beside it)." };
        var seed = new Option<long>("--seed") { Description = "Seed of the random initialisation of new prior rows.", DefaultValueFactory = _ => 0 };
        var command = new Command("extend", "Add tasks and modalities to a trained model without changing what it already does.")
        {
            model, tasks, modalities, output, seed,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(tasks) ?? [], parse.GetValue(modalities) ?? [],
            parse.GetValue(output), parse.GetValue(seed)));
        return command;
    }

    internal static int Run(string modelPath, IReadOnlyList<string> tasks, IReadOnlyList<string> modalities, string? outputPath, long seed)
    {
        if (tasks.Count == 0 && modalities.Count == 0)
        {
            Console.Error.WriteLine("hermes extend: nothing to add; give --add-task and/or --add-modality.");
            return 2;
        }

        var output = outputPath ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".",
            Path.GetFileNameWithoutExtension(modelPath) + "-extended.safetensors");
        if (string.Equals(Path.GetFullPath(output), Path.GetFullPath(modelPath), StringComparison.Ordinal))
        {
            Console.Error.WriteLine("hermes extend: --output must differ from --model (the trained model is kept).");
            return 2;
        }

        try
        {
            HermesRuntime.EnsureInitialized();
            var plan = new VocabularyExtensionPlan
            {
                Tasks = tasks.Select(VocabularyAddition.Parse).ToList(),
                Modalities = modalities.Select(VocabularyAddition.Parse).ToList(),
            };
            var (state, sidecar) = CheckpointReader.Load(modelPath);
            try
            {
                var (tn, mn) = SidecarModel.Vocabulary(sidecar, state);
                using var trained = SidecarModel.Build(sidecar, tn, mn);
                StateDictLoader.Load(trained, state);
                trained.eval();
                var extended = VocabularyExtension.Extend(trained, new ModelVocabulary(sidecar.Tasks, sidecar.Modalities), plan,
                    (t, m) =>
                    {
                        torch.random.manual_seed(seed);
                        return SidecarModel.Build(sidecar, t, m);
                    });
                using var model = extended.Model;
                CheckpointWriter.Save(output, model, VocabularyExtension.UpdateSidecar(sidecar, extended, plan));
                for (var i = 0; i < plan.Tasks.Count; i++)
                {
                    Console.WriteLine($"task {plan.Tasks[i].Name}: id {extended.NewTaskIds[i]}" +
                                      (plan.Tasks[i].InitFrom is { } f ? $" (from {f})" : " (random)"));
                }

                for (var i = 0; i < plan.Modalities.Count; i++)
                {
                    Console.WriteLine($"modality {plan.Modalities[i].Name}: id {extended.NewModalityIds[i]}" +
                                      (plan.Modalities[i].InitFrom is { } f ? $" (from {f})" : " (random)"));
                }

                Console.WriteLine($"wrote {output} (tn {model.TaskCount}, mn {model.ModalityCount})");
                return 0;
            }
            finally
            {
                foreach (var t in state.Values)
                {
                    t.Dispose();
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or InvalidOperationException
                                      or CheckpointFormatException or StateDictMismatchException or IOException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"hermes extend: {e.Message}");
            return 1;
        }
    }
}
