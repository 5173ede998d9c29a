using Hermes.Samples.WeightImport;

// dotnet run --project samples/WeightImport -- <config.json> <checkpoint.pth|weights.safetensors> [entry]
// e.g. ../shared/fixtures/hermes_r_small/config.json ../shared/fixtures/hermes_r_small/checkpoint.pth ema_model_state_dict
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: WeightImport <config.json> <checkpoint.pth|weights.safetensors> [entry]");
    return 2;
}

var result = WeightImportSample.Run(args[0], args[1], args.Length > 2 ? args[2] : null);
Console.WriteLine($"loaded {result.Loaded} tensors; logits [{string.Join(", ", result.Shape)}]; foreground voxels per task: {string.Join(", ", result.Foreground)}");
return 0;
