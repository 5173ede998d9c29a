using System.Text.Json.Nodes;
using Hermes.Checkpoints;
using Hermes.Preprocessing;

namespace Hermes.Core.Tests.Checkpoints;

/// <summary>
/// Structurally mutated model sidecars (issue #24; fixed seed, a few thousand cases): every field deleted, retyped, set to
/// extremes, nested or duplicated. <see cref="ModelSidecar.Load"/> returns a sidecar that passes its own validation or
/// throws <see cref="CheckpointFormatException"/> naming the file — never another exception type, and never one whose
/// patch size would make a predictor allocate beyond <see cref="ModelSidecar.MaxPatchVoxels"/>. Reading one allocates in
/// proportion to the file (managed bytes allocated by the loading thread, at most <see cref="AllocationPerFileByte"/> per
/// byte of the file plus <see cref="AllocationOverhead"/>): no field makes the reader allocate what its value claims.
/// </summary>
public sealed class SidecarFuzzTests : IDisposable
{
    private const int Cases = 3000;

    /// <summary>Managed bytes a load may allocate per byte of the sidecar (JSON DOM, strings as UTF-16, the records).</summary>
    private const long AllocationPerFileByte = 32;

    /// <summary>Managed bytes a load may allocate besides (file handle, buffers, exception and its message).</summary>
    private const long AllocationOverhead = 256 << 10;

    private static readonly Func<Random, JsonNode?>[] Values =
    [
        _ => null,
        _ => JsonValue.Create(-1),
        _ => JsonValue.Create(0),
        _ => JsonValue.Create(4096),
        _ => JsonValue.Create(int.MaxValue),
        _ => JsonValue.Create(long.MaxValue),
        _ => JsonValue.Create(1e308),
        _ => JsonValue.Create(-0.5),
        _ => JsonValue.Create("NaN"),
        _ => JsonValue.Create(""),
        _ => JsonValue.Create("../../../etc/passwd"),
        _ => JsonValue.Create(new string('x', 10_000)),
        _ => JsonValue.Create(true),
        _ => new JsonArray(),
        _ => new JsonArray(4096, 4096, 4096),
        _ => new JsonArray(1024, 1024, 1024),
        _ => new JsonArray(-1, 0, 1),
        _ => new JsonArray("a", null, 3),
        _ => new JsonObject(),
        r => new JsonObject { ["nested"] = new JsonArray(r.Next(), "x", new JsonObject()) },
    ];

    private readonly string folder = Directory.CreateTempSubdirectory("hermes-sidecar-fuzz-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void MutatedSidecarsLoadValidOrThrowFormatErrors()
    {
        var original = Valid();
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HERMES_FUZZ_SEED"), out var s) ? s : 20261207;
        var random = new Random(seed);
        var path = Path.Combine(folder, "model.json");
        int loaded = 0, refused = 0;
        for (var n = 0; n < Cases; n++)
        {
            var root = original.DeepClone();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                Mutate(root, random);
            }

            var text = root.ToJsonString();
            File.WriteAllText(path, text);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var sidecar = ModelSidecar.Load(path);
                AssertAllocation(before, text, n, seed);
                loaded++;
                var patch = sidecar.Preprocessing.PatchSize;
                Assert.True(patch.Count == 3 && patch.All(p => p is > 0 and <= ModelSidecar.MaxPatchSide) && patch.Aggregate(1L, (a, p) => a * p) <= ModelSidecar.MaxPatchVoxels,
                    $"case {n} (seed {seed}): loaded with patch [{string.Join(", ", patch)}]: {root.ToJsonString()[..Math.Min(400, root.ToJsonString().Length)]}");
            }
            catch (CheckpointFormatException e)
            {
                AssertAllocation(before, text, n, seed);
                refused++;
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
            }
            catch (Exception e)
            {
                Assert.Fail($"case {n} (seed {seed}): {e.GetType().Name}: {e.Message}\n{root.ToJsonString()[..Math.Min(600, root.ToJsonString().Length)]}");
            }
        }

        Assert.Equal(Cases, loaded + refused);
        Assert.True(refused > Cases / 2, $"only {refused} of {Cases} mutated sidecars were refused: the mutations hardly touch validated fields");
        Assert.True(loaded > 0, "no mutated sidecar loaded: the mutations never leave a valid one (the test would not see a wrong accept)");
    }

    private static void AssertAllocation(long before, string text, int n, int seed)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var bound = (AllocationPerFileByte * text.Length) + AllocationOverhead;
        Assert.True(allocated <= bound, $"case {n} (seed {seed}): loading a {text.Length}-byte sidecar allocated {allocated} bytes (bound {bound})");
    }

    /// <summary>Replaces, deletes or adds one node somewhere in the tree.</summary>
    private static void Mutate(JsonNode root, Random random)
    {
        var containers = new List<JsonNode>();
        Collect(root, containers);
        var target = containers[random.Next(containers.Count)];
        switch (target)
        {
            case JsonObject o when o.Count > 0:
                var key = o.ElementAt(random.Next(o.Count)).Key;
                switch (random.Next(3))
                {
                    case 0:
                        o.Remove(key);
                        break;
                    case 1:
                        o[key] = Values[random.Next(Values.Length)](random);
                        break;
                    default:
                        o[key + (random.Next(2) == 0 ? "" : "_extra")] = Values[random.Next(Values.Length)](random);
                        break;
                }

                break;
            case JsonArray a when a.Count > 0:
                var i = random.Next(a.Count);
                if (random.Next(2) == 0)
                {
                    a[i] = Values[random.Next(Values.Length)](random);
                }
                else
                {
                    a.RemoveAt(i);
                }

                break;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> containers)
    {
        switch (node)
        {
            case JsonObject o:
                containers.Add(o);
                foreach (var (_, child) in o)
                {
                    Collect(child, containers);
                }

                break;
            case JsonArray a:
                containers.Add(a);
                foreach (var child in a)
                {
                    Collect(child, containers);
                }

                break;
        }
    }

    private JsonNode Valid()
    {
        var path = Path.Combine(folder, "valid.json");
        new ModelSidecar
        {
            Architecture = "hermes-r",
            ArchitectureOptions = new JsonObject { ["base_chan"] = 32, ["num_block"] = new JsonArray(2, 2, 2, 2), ["tn"] = 4, ["mn"] = 3 },
            Tasks = ["amos/liver", "amos/spleen", "bcv/aorta"],
            Modalities = ["CT", "MR"],
            Preprocessing = new SidecarPreprocessing([1.5, 1.5, 1.5],
                new Dictionary<string, IntensityNormalization> { ["CT"] = IntensityNormalization.Ct, ["MR"] = IntensityNormalization.PercentileClip },
                [128, 128, 128]),
        }.Save(path);
        return JsonNode.Parse(File.ReadAllText(path))!;
    }
}
