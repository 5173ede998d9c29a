using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.IO;
using Hermes.Runtime;
using Hermes.Volumes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>
/// Preprocesses training cases once and keeps them in a folder as memory-mappable binary files. Each file is named by a
/// fingerprint: a SHA-256 of the preprocessing settings, the dataset's declared labels and modality, and each source
/// file's identity (full path, size, last-write time), so changed settings or changed files re-run preprocessing while
/// unchanged cases are reused. Files are written atomically (temporary file, then a move). Stale files of earlier
/// settings are left in place (several configurations may share a folder).
/// </summary>
public sealed class PreprocessingCache
{
    private const int FormatVersion = 1;
    private readonly ILogger logger;
    private long hits;
    private long misses;

    /// <summary>Creates the cache.</summary>
    /// <param name="folder">The cache folder (created when missing).</param>
    /// <param name="catalog">The catalog the cases' datasets are declared in.</param>
    /// <param name="options">Preprocessing settings (validated here).</param>
    /// <param name="logger">Logger for cache hits and preprocessing runs.</param>
    public PreprocessingCache(string folder, TaskCatalog catalog, PreprocessingOptions options, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Folder = Path.GetFullPath(folder);
        Catalog = catalog;
        Options = options;
        this.logger = logger ?? NullLogger.Instance;
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The cache folder.</summary>
    public string Folder { get; }

    /// <summary>The catalog.</summary>
    public TaskCatalog Catalog { get; }

    /// <summary>The preprocessing settings.</summary>
    public PreprocessingOptions Options { get; }

    /// <summary>How many cases were served from an existing file.</summary>
    public long Hits => Interlocked.Read(ref hits);

    /// <summary>How many cases were preprocessed.</summary>
    public long Misses => Interlocked.Read(ref misses);

    /// <summary>The fingerprint of a case under the current settings (changes when settings or source files change).</summary>
    /// <param name="reference">The case.</param>
    /// <returns>A lowercase hex SHA-256.</returns>
    public string Fingerprint(CaseReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var dataset = Catalog[reference.Dataset];
        var modality = reference.Modality ?? dataset.DefaultModality;
        var text = new StringBuilder();
        text.Append("hermes-preprocessed-case/").Append(FormatVersion).Append('\n');
        text.Append(Options.FingerprintText(modality)).Append('\n');
        text.Append(modality).Append('\n');
        text.Append(string.Join(",", dataset.Labels.Select(l => l.Value))).Append('\n');
        foreach (var f in reference.ImagePaths.Append(reference.LabelPath))
        {
            var info = new FileInfo(f);
            if (!info.Exists)
            {
                throw new DatasetFormatException($"Case '{reference.CaseId}' of dataset '{reference.Dataset}': file '{f}' does not exist.", [f]);
            }

            text.Append(info.FullName).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// The cache file a case maps to under the current settings: <c>dataset__case__fingerprint.hpc</c>, the names made safe
    /// by <see cref="SafeFileName"/> (so a case id from a manifest never leaves the cache folder or overruns a file-name
    /// limit; two cases whose ids map to one stem are told apart by the fingerprint of their files).
    /// </summary>
    /// <param name="reference">The case.</param>
    /// <returns>The path (it may not exist yet).</returns>
    public string PathOf(CaseReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Path.Combine(Folder, $"{SafeFileName.Create($"{reference.Dataset}__{reference.CaseId}")}__{Fingerprint(reference)[..16]}.hpc");
    }

    /// <summary>Returns the preprocessed case, preprocessing it first when no file with its fingerprint exists.</summary>
    /// <param name="reference">The case.</param>
    /// <returns>The memory-mapped case (dispose it).</returns>
    /// <exception cref="DatasetFormatException">The case is unreadable or inconsistent; the message names the file.</exception>
    public PreprocessedCase Open(CaseReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var path = PathOf(reference);
        if (File.Exists(path))
        {
            try
            {
                var c = PreprocessedCase.Open(path);
                Interlocked.Increment(ref hits);
                logger.LogDebug("Cache hit for {Dataset}/{Case}: {Path}", reference.Dataset, reference.CaseId, path);
                return c;
            }
            catch (InvalidDataException ex)
            {
                logger.LogWarning(ex, "Cache file {Path} is invalid; rebuilding it", path);
            }
        }

        Build(reference, path);
        Interlocked.Increment(ref misses);
        return PreprocessedCase.Open(path);
    }

    /// <summary>Opens (preprocessing as needed) every case of a source, in parallel.</summary>
    /// <param name="cases">The cases.</param>
    /// <param name="maxParallelism">Cases preprocessed at once.</param>
    /// <returns>The mapped cases, in input order.</returns>
    public IReadOnlyList<PreprocessedCase> OpenAll(IReadOnlyList<CaseReference> cases, int maxParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var result = new PreprocessedCase[cases.Count];
        try
        {
            Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelism) }, i => result[i] = Open(cases[i]));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
        {
            foreach (var c in result)
            {
                c?.Dispose();
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            throw;
        }

        return result;
    }

    private void Build(CaseReference reference, string path)
    {
        HermesRuntime.EnsureInitialized();
        var dataset = Catalog[reference.Dataset];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var scope = NewDisposeScope();
        using var pre = CasePreprocessor.Run(reference, dataset, Options);
        var fingerprint = Fingerprint(reference);
        var shape = pre.Image.shape.Select(s => (int)s).ToArray();
        long imageBytes = pre.Image.numel() * 4, labelBytes = pre.Label.numel();

        // Foreground positions per present value: all of them, or a seeded random subset.
        var seed = BitConverter.ToInt64(Convert.FromHexString(fingerprint[..16]));
        using var generator = new Generator((ulong)seed, device("cpu"));
        var positions = new List<(int Value, long Voxels, int[] Locations)>();
        foreach (var label in dataset.Labels)
        {
            using var mask = pre.Label.eq(label.Value);
            using var nz = mask.nonzero();
            var count = nz.shape[0];
            if (count == 0)
            {
                continue;
            }

            var keep = Math.Min(count, Options.ForegroundLocationsPerLabel);
            using var chosen = keep < count ? nz.index_select(0, randperm(count, generator: generator).narrow(0, 0, keep).sort().Values) : nz.alias();
            using var asInt = chosen.to(ScalarType.Int32).contiguous();
            positions.Add((label.Value, count, asInt.data<int>().ToArray()));
        }

        static long Align(long x) => (x + 63) / 64 * 64;
        var header = new JsonObject
        {
            ["dataset"] = reference.Dataset,
            ["caseId"] = reference.CaseId,
            ["modality"] = pre.Modality,
            ["fingerprint"] = fingerprint,
            ["shape"] = new JsonArray([.. shape.Select(s => (JsonNode?)JsonValue.Create(s))]),
            ["affine"] = new JsonArray([.. Flatten(pre.Geometry.Affine).Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["sources"] = new JsonArray([.. reference.ImagePaths.Append(reference.LabelPath).Select(p => (JsonNode?)JsonValue.Create(p))]),
        };

        // Offsets depend on the header length; reserve digits generously and iterate once.
        long imageOffset = 0, labelOffset = 0;
        byte[] headerBytes = [];
        for (var pass = 0; pass < 4; pass++)
        {
            imageOffset = Align(12 + headerBytes.Length + 64);
            labelOffset = Align(imageOffset + imageBytes);
            var offset = Align(labelOffset + labelBytes);
            var labels = new JsonArray();
            foreach (var (value, voxels, locs) in positions)
            {
                labels.Add(new JsonObject { ["value"] = value, ["voxels"] = voxels, ["locations"] = locs.Length / 3, ["offset"] = offset });
                offset = Align(offset + (locs.Length * 4L));
            }

            header["imageOffset"] = imageOffset;
            header["labelOffset"] = labelOffset;
            header["labels"] = labels;
            var next = Encoding.UTF8.GetBytes(header.ToJsonString());
            var stable = next.Length == headerBytes.Length;
            headerBytes = next;
            if (stable)
            {
                break;
            }
        }

        if (12 + headerBytes.Length > imageOffset)
        {
            throw new InvalidOperationException("Cache header layout did not converge.");
        }

        Runtime.AtomicFile.Write(path, s =>
        {
            s.Write(PreprocessedCase.Magic);
            s.Write(BitConverter.GetBytes(headerBytes.Length));
            s.Write(headerBytes);
            Pad(s, imageOffset);
            TensorBytes.ForEachChunk(pre.Image, b => s.Write(b));
            Pad(s, labelOffset);
            TensorBytes.ForEachChunk(pre.Label, b => s.Write(b));
            foreach (var (_, _, locs) in positions)
            {
                Pad(s, Align(s.Position));
                s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(locs.AsSpan()));
            }
        });
        logger.LogInformation("Preprocessed {Dataset}/{Case} → {Shape} in {Seconds:F2} s ({Path})", reference.Dataset, reference.CaseId, string.Join("×", shape), System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, path);
    }

    private static void Pad(Stream s, long position)
    {
        if (s.Position > position)
        {
            throw new InvalidOperationException($"Cache layout error: at {s.Position}, expected ≤ {position}.");
        }

        while (s.Position < position)
        {
            s.WriteByte(0);
        }
    }

    private static IEnumerable<double> Flatten(double[,] m)
    {
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                yield return m[r, c];
            }
        }
    }
}
