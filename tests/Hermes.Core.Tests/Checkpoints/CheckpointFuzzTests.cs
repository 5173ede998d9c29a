using System.Buffers.Binary;
using System.Diagnostics;
using Hermes.Checkpoints;
using Hermes.Testing;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Checkpoints;

/// <summary>
/// Corrupted and truncated checkpoints (fixed seeds) either load or fail with <see cref="CheckpointFormatException"/>:
/// never another exception type, a crash, a hang or a huge allocation.
/// </summary>
public sealed class CheckpointFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(45);

    /// <summary>Managed bytes one case may allocate beyond the input's size.</summary>
    private const long AllocationSlack = 32L << 20;

    [SkippableFact]
    public void SafetensorsHeaderFlipsAndTruncationsLoadOrThrowFormatErrors()
    {
        var original = File.ReadAllBytes(Path.Combine(SharedAssets.RequireFixture("hermes_m_small"), "weights.safetensors"));
        var headerEnd = (int)Math.Min(original.Length, 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(original));
        var rng = new Random(20240601);
        var outcome = new FuzzOutcome("fuzz");
        var buffer = (byte[])original.Clone();

        Run(() =>
        {
            for (var i = 0; i < 1500; i++)
            {
                // 1–4 byte flips, mostly inside the header (the length prefix and JSON), sometimes in the first KB.
                var flips = rng.Next(1, 5);
                var positions = new int[flips];
                for (var f = 0; f < flips; f++)
                {
                    positions[f] = rng.Next(4) == 0 ? rng.Next(Math.Min(1024, headerEnd)) : rng.Next(headerEnd);
                    buffer[positions[f]] ^= (byte)rng.Next(1, 256);
                }

                outcome.Case($"flip@{string.Join(',', positions)}", buffer.Length, () => LoadSafetensors(buffer, buffer.Length));
                foreach (var p in positions)
                {
                    buffer[p] = original[p];
                }
            }

            for (var i = 0; i < 300; i++)
            {
                var length = rng.Next(4) == 0 ? rng.Next(original.Length) : rng.Next(Math.Min(original.Length, headerEnd + 64));
                outcome.Case($"truncate@{length}", length, () => LoadSafetensors(original, length));
            }
        });

        output.WriteLine(outcome.ToString());
        outcome.AssertClean();
        Assert.True(outcome.Rejected > 1000, $"only {outcome.Rejected} of {outcome.Total} corrupted inputs were rejected");
    }

    [SkippableFact]
    public void PickleFlipsAndTruncationsLoadOrThrowFormatErrors()
    {
        var path = Path.Combine(SharedAssets.RequireFixture("hermes_m_small"), "checkpoint.pth");
        using var stream = File.OpenRead(path);
        using var archive = TorchZipArchive.Open(stream, path);
        var original = archive.ReadPickle();
        var rng = new Random(7);
        var outcome = new FuzzOutcome(path);
        var buffer = (byte[])original.Clone();

        Run(() =>
        {
            // The unmodified pickle loads (and primes the archive's storage cache, so cases stay fast).
            outcome.Case("original", original.Length, () => Unpickle(archive, original));
            Assert.Equal(1, outcome.Loaded);

            for (var i = 0; i < 2500; i++)
            {
                var flips = rng.Next(1, 4);
                var positions = new int[flips];
                for (var f = 0; f < flips; f++)
                {
                    positions[f] = rng.Next(2) == 0 ? rng.Next(Math.Min(1024, buffer.Length)) : rng.Next(buffer.Length);
                    buffer[positions[f]] = rng.Next(3) == 0 ? (byte)rng.Next(256) : (byte)(buffer[positions[f]] ^ (1 << rng.Next(8)));
                }

                outcome.Case($"flip@{string.Join(',', positions)}", buffer.Length, () => Unpickle(archive, buffer));
                foreach (var p in positions)
                {
                    buffer[p] = original[p];
                }
            }

            for (var i = 0; i < 300; i++)
            {
                var cut = original.AsSpan(0, rng.Next(original.Length)).ToArray();
                outcome.Case($"truncate@{cut.Length}", cut.Length, () => Unpickle(archive, cut));
            }
        });

        output.WriteLine(outcome.ToString());
        outcome.AssertClean();
        Assert.True(outcome.Rejected > 1500, $"only {outcome.Rejected} of {outcome.Total} corrupted pickles were rejected");
    }

    [SkippableFact]
    public void ZipDirectoryAndRecordCorruptionLoadsOrThrowsFormatErrors()
    {
        var original = File.ReadAllBytes(Path.Combine(SharedAssets.RequireFixture("hermes_m_small"), "checkpoint.pth"));
        var rng = new Random(99);
        var outcome = new FuzzOutcome("fuzz");
        var buffer = (byte[])original.Clone();
        var directoryStart = FindCentralDirectory(original);

        Run(() =>
        {
            for (var i = 0; i < 800; i++)
            {
                // Flip bytes of the central directory / end record, or of the first KB (local header and data.pkl start).
                var flips = rng.Next(1, 4);
                var positions = new int[flips];
                for (var f = 0; f < flips; f++)
                {
                    positions[f] = rng.Next(2) == 0 ? rng.Next(directoryStart, original.Length) : rng.Next(1024);
                    buffer[positions[f]] ^= (byte)rng.Next(1, 256);
                }

                outcome.Case($"flip@{string.Join(',', positions)}", buffer.Length, () => ReadZip(buffer, buffer.Length));
                foreach (var p in positions)
                {
                    buffer[p] = original[p];
                }
            }

            for (var i = 0; i < 200; i++)
            {
                var length = rng.Next(2) == 0 ? rng.Next(original.Length) : rng.Next(directoryStart, original.Length);
                outcome.Case($"truncate@{length}", length, () => ReadZip(original, length));
            }
        });

        output.WriteLine(outcome.ToString());
        outcome.AssertClean();
        Assert.True(outcome.Rejected > 200, $"only {outcome.Rejected} of {outcome.Total} corrupted archives were rejected");
    }

    private static void LoadSafetensors(byte[] bytes, int length)
    {
        using var scope = NewDisposeScope();
        using var ms = new MemoryStream(bytes, 0, length, writable: false);
        _ = SafeTensors.Load(ms, "fuzz.safetensors");
    }

    private static void Unpickle(TorchZipArchive archive, byte[] pickle)
    {
        using var scope = NewDisposeScope();
        _ = archive.Unpickle(pickle, []);
    }

    private static void ReadZip(byte[] bytes, int length)
    {
        using var scope = NewDisposeScope();
        using var ms = new MemoryStream(bytes, 0, length, writable: false);
        _ = PyTorchCheckpoint.ReadStateDict(ms, "fuzz.pth");
    }

    private static int FindCentralDirectory(byte[] zip)
    {
        for (var i = zip.Length - 22; i >= 0; i--)
        {
            if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 5 && zip[i + 3] == 6)
            {
                return (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i + 16));
            }
        }

        throw new InvalidOperationException("no end-of-central-directory record");
    }

    private static void Run(Action body)
    {
        var task = Task.Run(body);
        Assert.True(task.Wait(Budget), $"fuzz cases did not finish within {Budget.TotalSeconds} s (a hang?)");
    }

    private sealed class FuzzOutcome(string source)
    {
        private readonly List<string> failures = new();

        public int Total { get; private set; }

        public int Loaded { get; private set; }

        public int Rejected { get; private set; }

        public void Case(string name, long inputLength, Action action)
        {
            Total++;
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            try
            {
                action();
                Loaded++;
            }
            catch (CheckpointFormatException e)
            {
                Rejected++;
                if (string.IsNullOrWhiteSpace(e.Message) || !e.Message.Contains(source, StringComparison.Ordinal))
                {
                    failures.Add($"{name}: message does not name the source: {e.Message}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().FullName}: {e.Message}");
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > inputLength * 3 + AllocationSlack)
            {
                failures.Add($"{name}: allocated {allocated} managed bytes for a {inputLength}-byte input");
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(5))
            {
                failures.Add($"{name}: took {watch.Elapsed.TotalSeconds:F1} s");
            }
        }

        public override string ToString() => $"{Total} cases: {Loaded} loaded, {Rejected} rejected with CheckpointFormatException, {failures.Count} misbehaved";

        public void AssertClean() =>
            Assert.True(failures.Count == 0, $"{failures.Count} of {Total} cases misbehaved:\n{string.Join('\n', failures.Take(30))}");
    }
}
