using System.Globalization;
using Hermes.Samples.Quickstart;

// dotnet run --project samples/Quickstart [-- steps]
var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 150;
var dice = await QuickstartSample.RunAsync(steps);
Console.WriteLine($"Dice on a new volume: {dice:F3}");
