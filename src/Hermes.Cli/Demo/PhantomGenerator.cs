using System.Globalization;
using System.Text;
using Hermes.Data;
using Hermes.Inference;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Cli.Demo;

/// <summary>
/// The demo's embedded dataset: procedural 3D abdominal phantoms (ellipsoid organs, the spine and a fat ring in an elliptic
/// trunk; partial-volume blur, noise, an MR bias field) in two modalities whose label sets overlap only partly — CT labels
/// liver, spleen and kidneys; MR labels liver, kidneys and bladder (its spleen is present but unlabelled, as in real
/// partially labelled collections). Intensity ranges overlap (MR fat vs spleen and kidneys under the bias field, CT bone
/// vs kidneys after the blur), so position and shape matter, not intensity alone.
/// </summary>
internal static class PhantomGenerator
{
    /// <summary>Catalog key of the CT phantoms.</summary>
    public const string CtDataset = "phantom_ct";

    /// <summary>Catalog key of the MR phantoms.</summary>
    public const string MrDataset = "phantom_mr";

    /// <summary>Voxel spacing of every phantom (mm), equal to the default preprocessing target, so no resampling happens.</summary>
    public const double Spacing = 1.5;

    // Organ centres and radii in voxels of the 48³ layout, as (z, y, x) of the RAS+ grid: +x patient right, +y anterior,
    // +z superior. Liver right and anterior-superior, spleen left and posterior-superior, kidneys posterior beside the
    // spine, bladder anterior-inferior in the midline.
    private static readonly (string Name, double Z, double Y, double X, double Rz, double Ry, double Rx)[] Organs =
    [
        ("liver", 29, 26, 33, 9, 10, 10),
        ("spleen", 29, 19, 14, 7, 6.5, 5.5),
        ("kidney", 17, 17, 33, 6.5, 5, 4.5), // right kidney
        ("kidney", 17, 17, 15, 6.5, 5, 4.5), // left kidney
        ("bladder", 7, 29, 24, 5.5, 6, 6.5),
    ];

    /// <summary>The task catalog of the phantom datasets (tasks <c>phantom/liver</c>, <c>…/spleen</c>, <c>…/kidney</c>, <c>…/bladder</c>).</summary>
    public static TaskCatalog Catalog()
    {
        var vocabulary = new TaskVocabulary();
        vocabulary.AddModality("CT");
        vocabulary.AddModality("MR");
        var catalog = new TaskCatalog(vocabulary);
        catalog.Add(new DatasetDeclaration
        {
            Name = CtDataset,
            Modalities = ["CT"],
            Labels = [new(1, "phantom/liver"), new(2, "phantom/spleen"), new(3, "phantom/kidney")],
        });
        catalog.Add(new DatasetDeclaration
        {
            Name = MrDataset,
            Modalities = ["MR"],
            Labels = [new(1, "phantom/liver"), new(2, "phantom/kidney"), new(3, "phantom/bladder")],
        });
        return catalog;
    }

    /// <summary>
    /// Postprocessing per task that uses what the anatomy guarantees: liver, spleen and bladder are one connected organ
    /// each (keep the largest component); the kidneys are two, so only components under 150 mm³ (a tenth of the
    /// smallest kidney) are removed.
    /// </summary>
    public static IReadOnlyDictionary<string, PostprocessingOptions> Postprocessing() => new Dictionary<string, PostprocessingOptions>
    {
        ["phantom/liver"] = new() { KeepLargestComponent = true },
        ["phantom/spleen"] = new() { KeepLargestComponent = true },
        ["phantom/bladder"] = new() { KeepLargestComponent = true },
        ["phantom/kidney"] = new() { MinimumComponentVolumeMm3 = 150 },
    };

    /// <summary>
    /// Writes <paramref name="casesPerModality"/> phantoms of each modality as NIfTI (image and label) into
    /// <paramref name="folder"/> with a <c>manifest.tsv</c>, and returns the manifest path.
    /// </summary>
    /// <param name="folder">Destination folder (created).</param>
    /// <param name="casesPerModality">Cases per modality.</param>
    /// <param name="size">Edge length in voxels (organ layout is defined for 48 and scaled otherwise).</param>
    /// <param name="seed">Seed of the anatomy and noise.</param>
    public static string Write(string folder, int casesPerModality, int size, int seed)
    {
        Directory.CreateDirectory(folder);
        var manifest = new StringBuilder("dataset\tcase_id\tmodality\timage\tlabel\n");
        for (var i = 0; i < casesPerModality; i++)
        {
            foreach (var (dataset, modality) in new[] { (CtDataset, "CT"), (MrDataset, "MR") })
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{modality.ToLowerInvariant()}_{i:D3}");
                var image = $"{id}_image.nii.gz";
                var label = $"{id}_label.nii.gz";
                using (var scope = NewDisposeScope())
                {
                    // A fixed mix (HashCode.Combine is randomised per process): the same seed gives the same phantoms in every run.
                    var caseSeed = unchecked((seed * 1_000_003) + (i * 7_919) + (modality == "CT" ? 0 : 500_009));
                    var (img, lab) = Generate(modality == "CT", size, caseSeed);
                    var geometry = VolumeGeometry.Create([size, size, size], [Spacing, Spacing, Spacing]);
                    using var imageVolume = new Volume(img, geometry);
                    using var labelVolume = new Volume(lab, geometry);
                    VolumeIO.Write(imageVolume, Path.Combine(folder, image));
                    VolumeIO.Write(labelVolume, Path.Combine(folder, label));
                }

                manifest.Append(CultureInfo.InvariantCulture, $"{dataset}\t{id}\t{modality}\t{image}\t{label}\n");
            }
        }

        var path = Path.Combine(folder, "manifest.tsv");
        File.WriteAllText(path, manifest.ToString());
        return path;
    }

    /// <summary>One phantom: image <c>[D, H, W]</c> (float32; HU for CT, arbitrary units for MR) and label map (uint8, dataset values).</summary>
    /// <param name="ct">CT (true) or MR.</param>
    /// <param name="size">Edge length in voxels.</param>
    /// <param name="seed">Seed.</param>
    public static (Tensor Image, Tensor Label) Generate(bool ct, int size, int seed)
    {
        var rng = new Random(seed);
        using var generator = new Generator((ulong)(uint)seed);
        using var scope = NewDisposeScope();
        var scale = size / 48.0;
        var axis = arange(size, ScalarType.Float32);
        var g = meshgrid([axis, axis, axis], indexing: "ij"); // z (k), y (j), x (i)
        double Jitter(double amount) => (rng.NextDouble() * 2 - 1) * amount;

        Tensor Ellipsoid(double z, double y, double x, double rz, double ry, double rx) =>
            g[0].sub(z).div(rz).square().add(g[1].sub(y).div(ry).square()).add(g[2].sub(x).div(rx).square()).le(1);

        // The trunk is an elliptic cylinder along z (the scan is a slab of the abdomen): skin-side fat ring, soft tissue
        // inside, the spine posterior in the midline.
        Tensor Cylinder(double y, double x, double ry, double rx) => g[1].sub(y).div(ry).square().add(g[2].sub(x).div(rx).square()).le(1);
        var (cy, ry, rx) = ((24 + Jitter(1)) * scale, (17 + Jitter(1.5)) * scale, (21 + Jitter(1.5)) * scale);
        var body = Cylinder(cy, 24 * scale, ry, rx);
        var inner = Cylinder(cy, 24 * scale, ry - (2.5 * scale), rx - (2.5 * scale));
        var spine = Cylinder((12 + Jitter(1)) * scale, 24 * scale, 3 * scale, 3 * scale).logical_and(inner);

        // CT in HU (portal-venous-like: kidneys brightest, liver and spleen enhanced, urine near water); MR T2-like in
        // arbitrary units (urine brightest, fat bright, liver dark). Fat (MR) and bone (CT) are unlabelled distractors
        // whose intensities overlap the organs'.
        var (air, tissue, fat, bone) = ct ? (-1000.0, 30.0, -100.0, 500.0) : (0.0, 200.0, 900.0, 350.0);
        var contrast = ct
            ? new Dictionary<string, double> { ["liver"] = 120, ["spleen"] = 220, ["kidney"] = 320, ["bladder"] = 10 }
            : new Dictionary<string, double> { ["liver"] = 550, ["spleen"] = 850, ["kidney"] = 1150, ["bladder"] = 1500 };
        var labelValue = ct
            ? new Dictionary<string, int> { ["liver"] = 1, ["spleen"] = 2, ["kidney"] = 3 }
            : new Dictionary<string, int> { ["liver"] = 1, ["kidney"] = 2, ["bladder"] = 3 };

        var image = full([size, size, size], air, ScalarType.Float32)
            .masked_fill(body, fat + Jitter(ct ? 10 : 40))
            .masked_fill(inner, tissue + Jitter(ct ? 10 : 20))
            .masked_fill(spine, bone + Jitter(ct ? 40 : 30));
        var label = zeros([size, size, size], ScalarType.Byte);
        var kidneyShift = (Jitter(1.5), Jitter(1.5));
        foreach (var organ in Organs)
        {
            var isKidney = organ.Name == "kidney";
            var (dz, dy) = isKidney ? kidneyShift : (Jitter(2), Jitter(2));
            var r = 0.9 + (0.2 * rng.NextDouble());
            var mask = Ellipsoid((organ.Z + dz) * scale, (organ.Y + dy) * scale, (organ.X + Jitter(2)) * scale,
                organ.Rz * r * scale, organ.Ry * r * scale, organ.Rx * r * scale).logical_and(inner).logical_and(spine.logical_not());
            image.masked_fill_(mask, contrast[organ.Name] + Jitter(ct ? 10 : 30));
            if (labelValue.TryGetValue(organ.Name, out var value))
            {
                label.masked_fill_(mask, value);
            }
        }

        // Blur slightly (partial volume), then add noise; MR gets a smooth multiplicative bias field.
        var blurred = nn.functional.avg_pool3d(image.view(1, 1, size, size, size), new long[] { 3, 3, 3 }, new long[] { 1, 1, 1 }, new long[] { 1, 1, 1 }, false, false).view(size, size, size);
        var noisy = blurred.add(randn([size, size, size], generator: generator).mul(ct ? 12f : 20f));
        if (!ct)
        {
            var bias = g[2].div(size).sub(0.5).mul(0.3 + Jitter(0.1)).add(g[1].div(size).sub(0.5).mul(0.2 + Jitter(0.05))).exp();
            noisy = noisy.mul(bias).mul(1 + Jitter(0.2)).abs(); // bias field and a scanner-dependent global scale
        }

        return (noisy.MoveToOuterDisposeScope(), label.MoveToOuterDisposeScope());
    }
}
