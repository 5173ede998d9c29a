using System.Security.Cryptography;
using System.Text;
using Hermes.Data;
using Hermes.IO;
using Hermes.Preprocessing;
using Hermes.Volumes;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Experiments;

/// <summary>
/// The data of an experiment: its task catalog (task and modality vocabulary built from the datasets' declarations, in
/// the order written) and its cases from the shared <c>manifest.tsv</c>, split into training and validation.
/// </summary>
public sealed class ExperimentData
{
    private ExperimentData(TaskCatalog catalog, IReadOnlyList<ExperimentCase> cases)
    {
        Catalog = catalog;
        Cases = cases;
    }

    /// <summary>The task catalog of the experiment.</summary>
    public TaskCatalog Catalog { get; }

    /// <summary>Every case with its role.</summary>
    public IReadOnlyList<ExperimentCase> Cases { get; }

    /// <summary>The cases trained on.</summary>
    public IEnumerable<ExperimentCase> TrainingCases => Cases.Where(c => c.Role != CaseRole.Validation);

    /// <summary>The cases scored at the end (held-out ones, and the training cases of datasets scored on them).</summary>
    public IEnumerable<ExperimentCase> ScoredCases => Cases.Where(c => c.Role != CaseRole.Training);

    /// <summary>Builds the catalog and lists the cases.</summary>
    /// <param name="settings">The experiment.</param>
    /// <param name="manifest">The shared <c>manifest.tsv</c>.</param>
    /// <param name="derivedFolder">Where prepared copies of cases go (for datasets with <see cref="DatasetSelection.Prepare"/>).</param>
    /// <param name="logger">Logger.</param>
    /// <returns>The data.</returns>
    public static ExperimentData Load(ExperimentSettings settings, string manifest, string derivedFolder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var catalog = new TaskCatalog();
        foreach (var d in settings.Datasets)
        {
            foreach (var m in new[] { d.Modality }.Concat(d.CaseModalities.Values))
            {
                catalog.Vocabulary.AddModality(m);
            }
        }

        var cases = new List<ExperimentCase>();
        foreach (var d in settings.Datasets)
        {
            catalog.Add(new DatasetDeclaration
            {
                Name = d.Name,
                Modalities = [.. new[] { d.Modality }.Concat(d.CaseModalities.Values).Distinct(StringComparer.Ordinal)],
                Labels = [.. d.Labels.Select(l => new LabelDeclaration(l.Value, l.Task))],
                SampleWeight = d.SampleWeight,
                IntensityAugmentationProbability = settings.Training.IntensityAugmentation,
            });
            var source = d.Source ?? d.Name;
            var rows = new ManifestSource(manifest, new Dictionary<string, string> { [source] = d.Name }).ListCases()
                .Where(c => d.LabelContains.Count == 0 || d.LabelContains.Any(s => c.LabelPath.Contains(s, StringComparison.Ordinal)))
                .Where(c => d.Cases.Count == 0 || d.Cases.Contains(c.CaseId, StringComparer.Ordinal))
                .ToList();
            if (rows.Count == 0)
            {
                throw new InvalidDataException($"Dataset '{d.Name}': no manifest row of '{source}' matches the selection (LabelContains, Cases).");
            }

            var validation = d.Validation.ValidationIds(rows.Select(r => r.CaseId));
            foreach (var row in rows.OrderBy(r => r.CaseId, StringComparer.Ordinal).ThenBy(r => r.LabelPath, StringComparer.Ordinal))
            {
                if (d.Channel >= row.ImagePaths.Count)
                {
                    throw new InvalidDataException($"Dataset '{d.Name}', case '{row.CaseId}': Channel {d.Channel} does not exist ({row.ImagePaths.Count} image file(s)).");
                }

                var reference = row with
                {
                    ImagePaths = [row.ImagePaths[d.Channel]],
                    Modality = d.CaseModalities.TryGetValue(row.CaseId, out var m) ? m : null,
                };
                if (d.Prepare)
                {
                    reference = Prepare(reference, d, derivedFolder, logger);
                }

                var role = validation.Contains(row.CaseId) ? CaseRole.Validation : d.Validation.TrainingCases ? CaseRole.TrainingScored : CaseRole.Training;
                cases.Add(new ExperimentCase(d, reference, role));
            }
        }

        return new ExperimentData(catalog, cases);
    }

    /// <summary>
    /// Writes the case's image channel and its label as NIfTI on the image grid: the label is resampled (nearest) through
    /// the world coordinates when its grid differs (DICOM series vs a flipped NIfTI label), and values the dataset does not
    /// declare are set to 0. Files are named by a hash of their sources and settings and reused when present.
    /// </summary>
    private static CaseReference Prepare(CaseReference reference, DatasetSelection d, string folder, ILogger logger)
    {
        var values = d.Labels.Select(l => l.Value).Order().ToArray();
        var identity = $"{reference.ImagePaths[0]}|{reference.LabelPath}|{string.Join(",", values)}";
        foreach (var f in new[] { reference.ImagePaths[0], reference.LabelPath })
        {
            var info = new FileInfo(f);
            identity += info.Exists ? $"|{info.Length}|{info.LastWriteTimeUtc.Ticks}" : $"|{Directory.GetLastWriteTimeUtc(f).Ticks}";
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..12];
        var safe = new string(reference.CaseId.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        var dir = Directory.CreateDirectory(Path.Combine(folder, d.Name)).FullName;
        var image = Path.Combine(dir, $"{safe}_{hash}_image.nii.gz");
        var label = Path.Combine(dir, $"{safe}_{hash}_label.nii.gz");
        if (!File.Exists(image) || !File.Exists(label))
        {
            using var scope = NewDisposeScope();
            using var source = VolumeIO.Read(reference.ImagePaths[0]);
            using var rawLabel = VolumeIO.Read(reference.LabelPath);
            var labelData = rawLabel.Data[0].to(ScalarType.Float32);
            if (!rawLabel.Geometry.IsSameGrid(source.Geometry, 1e-3))
            {
                labelData = Resampling.Resample(labelData.unsqueeze(0), rawLabel.Geometry, source.Geometry, ResamplingMode.Nearest)[0];
                logger.LogInformation("{Dataset}/{Case}: label resampled onto the image grid {Grid}", d.Name, reference.CaseId, source.Geometry);
            }

            var rounded = labelData.round().to(ScalarType.Int64);
            var keep = zeros_like(rounded, ScalarType.Bool);
            foreach (var v in values)
            {
                keep = keep.logical_or(rounded.eq(v));
            }

            var remapped = rounded.where(keep, 0).to(ScalarType.Byte).unsqueeze(0);
            using (var labelVolume = new Volume(remapped.alias(), source.Geometry))
            {
                VolumeIO.Write(labelVolume, label, new VolumeWriteOptions { DataType = VoxelType.UInt8, IsLabel = true });
            }

            using (var imageVolume = new Volume(source.Data.to(ScalarType.Float32), source.Geometry))
            {
                VolumeIO.Write(imageVolume, image, new VolumeWriteOptions { DataType = VoxelType.Float32 });
            }
        }

        return reference with { ImagePaths = [image], LabelPath = label };
    }
}
