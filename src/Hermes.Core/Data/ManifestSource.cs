namespace Hermes.Data;

/// <summary>
/// Cases listed in a tab-separated manifest (the <c>manifest.tsv</c> style of the shared data folder): a header row with at
/// least the columns <c>dataset</c>, <c>case_id</c>, <c>image</c> (channels separated by <c>;</c>) and <c>label</c>, paths
/// relative to the manifest's folder. Rows are kept for the requested datasets only; the manifest's free-text
/// <c>modality</c> column is not used (cases take their dataset's default modality unless a map is given).
/// </summary>
public sealed class ManifestSource : IDatasetSource
{
    private readonly string manifest;
    private readonly IReadOnlyDictionary<string, string> datasets;

    /// <summary>Creates the source.</summary>
    /// <param name="manifest">The manifest file.</param>
    /// <param name="datasets">Manifest dataset name → catalog dataset key (often the same name).</param>
    public ManifestSource(string manifest, IReadOnlyDictionary<string, string> datasets)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manifest);
        ArgumentNullException.ThrowIfNull(datasets);
        if (datasets.Count == 0)
        {
            throw new ArgumentException("Name at least one dataset.", nameof(datasets));
        }

        this.manifest = Path.GetFullPath(manifest);
        this.datasets = datasets;
    }

    /// <summary>Creates the source for datasets whose catalog keys equal their manifest names.</summary>
    /// <param name="manifest">The manifest file.</param>
    /// <param name="datasets">The dataset names.</param>
    public ManifestSource(string manifest, params string[] datasets)
        : this(manifest, datasets.ToDictionary(d => d, d => d, StringComparer.Ordinal))
    {
    }

    /// <inheritdoc />
    public IReadOnlyList<CaseReference> ListCases()
    {
        if (!File.Exists(manifest))
        {
            throw new DatasetFormatException($"Manifest '{manifest}' does not exist.", [manifest]);
        }

        var lines = File.ReadAllLines(manifest);
        if (lines.Length == 0)
        {
            throw new DatasetFormatException($"Manifest '{manifest}' is empty.", [manifest]);
        }

        var header = lines[0].Split('\t');
        int Column(string name)
        {
            var i = Array.IndexOf(header, name);
            return i >= 0 ? i : throw new DatasetFormatException($"Manifest '{manifest}' has no '{name}' column (header: {string.Join(", ", header)}).", [manifest]);
        }

        int cDataset = Column("dataset"), cCase = Column("case_id"), cImage = Column("image"), cLabel = Column("label");
        var root = Path.GetDirectoryName(manifest)!;
        var cases = new List<CaseReference>();
        for (var n = 1; n < lines.Length; n++)
        {
            if (string.IsNullOrWhiteSpace(lines[n]))
            {
                continue;
            }

            var f = lines[n].Split('\t');
            if (f.Length < header.Length)
            {
                throw new DatasetFormatException($"Manifest '{manifest}', line {n + 1}: {f.Length} fields, expected {header.Length}.", [manifest]);
            }

            if (!datasets.TryGetValue(f[cDataset], out var key))
            {
                continue;
            }

            var images = f[cImage].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => Path.GetFullPath(Path.Combine(root, p))).ToList();
            var label = Path.GetFullPath(Path.Combine(root, f[cLabel].Trim()));
            foreach (var file in images.Append(label))
            {
                if (!File.Exists(file) && !Directory.Exists(file))
                {
                    throw new DatasetFormatException($"Manifest '{manifest}', line {n + 1}: file '{file}' does not exist.", [manifest, file]);
                }
            }

            cases.Add(new CaseReference(key, f[cCase], images, label));
        }

        var missing = datasets.Keys.Where(d => !cases.Any(c => c.Dataset == datasets[d])).ToList();
        if (missing.Count > 0)
        {
            throw new DatasetFormatException($"Manifest '{manifest}' lists no case of dataset(s) {string.Join(", ", missing)}.", [manifest]);
        }

        return cases;
    }
}
