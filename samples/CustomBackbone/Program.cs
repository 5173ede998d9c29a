using System.Globalization;
using Hermes.Samples.CustomBackbone;

// dotnet run --project samples/CustomBackbone [-- steps]
var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
var losses = CustomBackboneSample.Train(steps);
Console.WriteLine($"loss: first {losses[0]:F4}, last {losses[^1]:F4}");
