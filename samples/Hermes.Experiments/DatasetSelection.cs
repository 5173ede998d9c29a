namespace Hermes.Experiments;

/// <summary>
/// One dataset of an experiment: which rows of the shared <c>manifest.tsv</c> it takes, which image channel, which label
/// values (and the global task each stands for), the modality, the sampling weight and the validation split.
/// </summary>
public sealed record DatasetSelection
{
    /// <summary>The dataset key in the experiment's task catalog (unique within the experiment).</summary>
    public required string Name { get; init; }

    /// <summary>The <c>dataset</c> column value in the manifest (default: <see cref="Name"/>).</summary>
    public string? Source { get; init; }

    /// <summary>Keep only manifest rows whose label path contains one of these strings (default: all rows).</summary>
    public IReadOnlyList<string> LabelContains { get; init; } = [];

    /// <summary>Keep only these case ids (default: all).</summary>
    public IReadOnlyList<string> Cases { get; init; } = [];

    /// <summary>The image channel used (the model has one input channel); 0 = the first image listed.</summary>
    public int Channel { get; init; }

    /// <summary>The modality of the dataset's cases (a name of the experiment's modality vocabulary, or <c>unknown</c>).</summary>
    public string Modality { get; init; } = "T1-MRI";

    /// <summary>Per-case modality overrides (case id → modality).</summary>
    public IReadOnlyDictionary<string, string> CaseModalities { get; init; } = new Dictionary<string, string>();

    /// <summary>Label values and their global task names; label values not listed become background (see <see cref="Prepare"/>).</summary>
    public IReadOnlyList<LabelTask> Labels { get; init; } = [];

    /// <summary>
    /// Write derived copies of the cases first (image channel as NIfTI, label resampled onto the image grid when the two
    /// grids differ, undeclared label values set to 0). Needed for DICOM series, labels on a flipped grid and label maps
    /// with more values than the experiment uses. Off: the manifest's files are used as they are.
    /// </summary>
    public bool Prepare { get; init; }

    /// <summary>Sampling weight of each of its cases.</summary>
    public double SampleWeight { get; init; } = 1.0;

    /// <summary>How its cases are split into training and validation.</summary>
    public ValidationSplit Validation { get; init; } = new();

    /// <summary>Checks the selection.</summary>
    /// <param name="source">The experiment file, for messages.</param>
    /// <exception cref="InvalidDataException">A setting is invalid.</exception>
    public void Validate(string source)
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(char.IsWhiteSpace))
        {
            throw new InvalidDataException($"{source}: Datasets[].Name = '{Name}' is invalid: expected a key without whitespace.");
        }

        if (Labels.Count == 0 || Labels.Any(l => l.Value is < 1 or > 255 || string.IsNullOrWhiteSpace(l.Task)))
        {
            throw new InvalidDataException($"{source}: dataset '{Name}': Labels must list values 1–255 with task names.");
        }

        if (Channel < 0)
        {
            throw new InvalidDataException($"{source}: dataset '{Name}': Channel = {Channel} is invalid: expected ≥ 0.");
        }

        if (!double.IsFinite(SampleWeight) || SampleWeight <= 0)
        {
            throw new InvalidDataException($"{source}: dataset '{Name}': SampleWeight must be positive.");
        }

        Validation.Validate(source, Name);
    }
}
