using System.Globalization;
using Hermes.IO;
using Hermes.Preprocessing;
using TorchSharp;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>The result of preprocessing one case: float32 image <c>[C, D, H, W]</c> and uint8 local label map <c>[D, H, W]</c>.</summary>
internal sealed record PreprocessedTensors(Tensor Image, Tensor Label, VolumeGeometry Geometry, string Modality) : IDisposable
{
    public void Dispose()
    {
        Image.Dispose();
        Label.Dispose();
    }
}

/// <summary>Reads one case through the volume I/O layer, checks it against its dataset declaration, and preprocesses it.</summary>
internal static class CasePreprocessor
{
    /// <summary>Grid tolerance (mm) between image and label affines.</summary>
    private const double GridTolerance = 1e-3;

    public static PreprocessedTensors Run(CaseReference reference, DatasetDeclaration dataset, PreprocessingOptions options)
    {
        var modality = reference.Modality ?? dataset.DefaultModality;
        if (!dataset.Modalities.Contains(modality, StringComparer.Ordinal))
        {
            throw new DatasetFormatException($"Case '{reference.CaseId}' ({reference.LabelPath}) has modality '{modality}', which dataset '{dataset.Name}' does not declare ({string.Join(", ", dataset.Modalities)}).", [reference.LabelPath]);
        }

        using var scope = NewDisposeScope();
        var (image, geometry) = ReadImage(reference);
        var label = ReadLabel(reference, dataset, geometry);
        if (options.Reorient)
        {
            var reorientation = Reorientation.ToCanonical(geometry);
            if (!reorientation.IsIdentity)
            {
                label = reorientation.Apply(label);
                image = reorientation.Apply(image);
                geometry = reorientation.Target;
            }
        }

        if (options.TargetSpacing is { } spacing && !SameSpacing(geometry.Spacing, spacing))
        {
            var target = Resampling.TargetForSpacing(geometry, spacing);
            label = Resampling.Resample(label.to(ScalarType.Float32), geometry, target, options.LabelResampling).round().to(ScalarType.Byte);
            image = Resampling.Resample(image, geometry, target, ResamplingMode.Linear);
            geometry = target;
        }

        image = IntensityNormalizer.Apply(image, options.NormalizationFor(modality));
        var result = new PreprocessedTensors(image.contiguous(), label.squeeze(0).contiguous(), geometry, modality);
        result.Image.MoveToOuterDisposeScope();
        result.Label.MoveToOuterDisposeScope();
        return result;
    }

    private static bool SameSpacing(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        Enumerable.Range(0, 3).All(i => Math.Abs(a[i] - b[i]) <= 1e-6 * b[i]);

    private static Volume Read(string path, string role, CaseReference reference)
    {
        try
        {
            return VolumeIO.Read(path);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new DatasetFormatException($"Cannot read the {role} of case '{reference.CaseId}' (dataset '{reference.Dataset}'): '{path}': {ex.Message}", [path], ex);
        }
    }

    private static (Tensor Image, VolumeGeometry Geometry) ReadImage(CaseReference reference)
    {
        if (reference.ImagePaths.Count == 0)
        {
            throw new DatasetFormatException($"Case '{reference.CaseId}' of dataset '{reference.Dataset}' lists no image file.", [reference.LabelPath]);
        }

        var channels = new List<Tensor>();
        VolumeGeometry? geometry = null;
        foreach (var path in reference.ImagePaths)
        {
            using var v = Read(path, "image", reference);
            if (geometry is null)
            {
                geometry = v.Geometry;
            }
            else if (!geometry.IsSameGrid(v.Geometry, GridTolerance))
            {
                throw new DatasetFormatException($"Image channels of case '{reference.CaseId}' are on different grids: '{reference.ImagePaths[0]}' is {geometry}, '{path}' is {v.Geometry}.", [reference.ImagePaths[0], path]);
            }

            var data = v.Data.to(ScalarType.Float32, copy: true);
            if (!data.isfinite().all().ToBoolean())
            {
                throw new DatasetFormatException($"Image '{path}' (case '{reference.CaseId}') contains NaN or infinite voxels.", [path]);
            }

            channels.Add(data);
        }

        return (cat(channels, 0), geometry!);
    }

    private static Tensor ReadLabel(CaseReference reference, DatasetDeclaration dataset, VolumeGeometry imageGeometry)
    {
        var path = reference.LabelPath;
        using var v = Read(path, "label", reference);
        var imagePath = reference.ImagePaths[0];
        if (v.Channels != 1)
        {
            throw new DatasetFormatException($"Label '{path}' has {v.Channels} channels; a label map must have one.", [path]);
        }

        if (!v.Geometry.Shape.SequenceEqual(imageGeometry.Shape))
        {
            throw new DatasetFormatException($"Label '{path}' has shape ({string.Join(", ", v.Geometry.Shape)}) but image '{imagePath}' has shape ({string.Join(", ", imageGeometry.Shape)}).", [imagePath, path]);
        }

        if (!v.Geometry.IsSameGrid(imageGeometry, GridTolerance))
        {
            throw new DatasetFormatException($"Label '{path}' and image '{imagePath}' have different affines: label {v.Geometry}, image {imageGeometry}. Resample the label onto the image grid first.", [imagePath, path]);
        }

        var data = v.Data;
        if (data.is_floating_point())
        {
            using var nonIntegral = data.ne(data.round()).logical_or(data.isfinite().logical_not());
            if (nonIntegral.any().ToBoolean())
            {
                using var bad = data.masked_select(nonIntegral);
                throw new DatasetFormatException($"Label '{path}' contains non-integer values (e.g. {bad[0].ToDouble().ToString("G6", CultureInfo.InvariantCulture)}); label maps must hold integers.", [path]);
            }
        }

        using var asLong = data.to(ScalarType.Int64, copy: true);
        using var unique = asLong.unique().Item1;
        var present = unique.data<long>().ToArray();
        var declared = dataset.Labels.Select(l => (long)l.Value).Append(0).ToHashSet();
        var undeclared = present.Where(p => !declared.Contains(p)).ToArray();
        if (undeclared.Length > 0)
        {
            throw new DatasetFormatException($"Label '{path}' contains value(s) {string.Join(", ", undeclared)} that dataset '{dataset.Name}' does not declare (declared: 0, {string.Join(", ", dataset.Labels.Select(l => l.Value))}).", [path]);
        }

        return asLong.to(ScalarType.Byte);
    }
}
