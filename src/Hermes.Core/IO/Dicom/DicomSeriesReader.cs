using System.Globalization;
using Hermes.Runtime;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.IO.Dicom;

/// <summary>
/// Reads one DICOM series from a folder (or the series of a given file) as a volume. Slices are ordered along the
/// slice normal (row × column direction of ImageOrientationPatient) by their ImagePositionPatient — never by file
/// name or InstanceNumber. File axes: <c>i</c> = column, <c>j</c> = row, <c>k</c> = slice in that order; the affine
/// is built in LPS and stored in RAS+. RescaleSlope/RescaleIntercept are applied per slice (int32 result when
/// slope 1 and integral intercepts, else float32).
/// </summary>
/// <remarks>
/// Errors: several series and no <see cref="VolumeReadOptions.SeriesInstanceUid"/> →
/// <see cref="DicomSeriesSelectionException"/>; uneven slice gaps (beyond
/// <see cref="VolumeReadOptions.SliceSpacingTolerance"/>), duplicate positions or mixed orientations →
/// <see cref="VolumeFormatException"/>; compressed transfer syntaxes (JPEG, JPEG-LS, JPEG 2000, RLE…) →
/// <see cref="NotSupportedException"/> naming the syntax UID and name.
/// </remarks>
public sealed class DicomSeriesReader : IVolumeReader
{
    /// <inheritdoc />
    public Volume Read(string path, VolumeReadOptions? options = null)
    {
        options = VolumeReadOptions.ForReading(path, options);
        string folder;
        string? onlySeriesOf = null;
        if (Directory.Exists(path))
        {
            folder = path;
        }
        else if (File.Exists(path))
        {
            folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            onlySeriesOf = Path.GetFullPath(path);
        }
        else
        {
            throw new DirectoryNotFoundException($"DICOM folder not found: {path}");
        }

        var files = new List<DicomFile>();
        foreach (var f in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(f).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var parsed = DicomFile.TryParse(f);
            if (parsed is not null && parsed.GetString(DicomTag.SeriesInstanceUid) is not null)
            {
                files.Add(parsed);
            }
        }

        if (files.Count == 0)
        {
            throw new VolumeFormatException(folder, "DICOM files", "none", "at least one DICOM image file with a SeriesInstanceUID");
        }

        var groups = files.GroupBy(f => f.GetString(DicomTag.SeriesInstanceUid)!).ToList();
        var requested = options.SeriesInstanceUid;
        if (onlySeriesOf is not null && requested is null)
        {
            requested = files.FirstOrDefault(f => Path.GetFullPath(f.Path) == onlySeriesOf)?.GetString(DicomTag.SeriesInstanceUid);
        }

        IGrouping<string, DicomFile>? chosen = requested is null
            ? (groups.Count == 1 ? groups[0] : null)
            : groups.FirstOrDefault(g => g.Key == requested);
        if (chosen is null)
        {
            throw new DicomSeriesSelectionException(folder, groups.Select(g => (g.Key, g.First().GetString(DicomTag.SeriesDescription) ?? "", g.Count())).ToList(), requested);
        }

        return ReadSeries(folder, [.. chosen], options);
    }

    private static Volume ReadSeries(string folder, List<DicomFile> slices, VolumeReadOptions options)
    {
        foreach (var s in slices)
        {
            if (!DicomTransferSyntax.IsSupported(s.TransferSyntaxUid))
            {
                throw new NotSupportedException($"{s.Path}: DICOM transfer syntax {s.TransferSyntaxUid} ({DicomTransferSyntax.Name(s.TransferSyntaxUid)}) is not supported; only uncompressed Implicit/Explicit VR Little Endian is read. Decompress the series first (e.g. gdcmconv --raw or dcmdjpeg).");
            }
        }

        var first = slices[0];
        int rows = Required(first, DicomTag.Rows, "Rows"), columns = Required(first, DicomTag.Columns, "Columns");
        var bits = Required(first, DicomTag.BitsAllocated, "BitsAllocated");
        var stored = first.GetUInt16(DicomTag.BitsStored) ?? bits;
        var signed = (first.GetUInt16(DicomTag.PixelRepresentation) ?? 0) == 1;
        if ((first.GetUInt16(DicomTag.SamplesPerPixel) ?? 1) != 1)
        {
            throw new NotSupportedException($"{first.Path}: SamplesPerPixel = {first.GetUInt16(DicomTag.SamplesPerPixel)} (colour DICOM) is not supported; only single-sample (grey) images.");
        }

        if (first.GetNumbers(DicomTag.NumberOfFrames) is { } frames && frames[0] > 1)
        {
            throw new NotSupportedException($"{first.Path}: multi-frame DICOM (NumberOfFrames = {frames[0]}) is not supported; one slice per file is read.");
        }

        var type = (bits, signed) switch
        {
            (8, false) => VoxelType.UInt8,
            (8, true) => VoxelType.Int8,
            (16, false) => VoxelType.UInt16,
            (16, true) => VoxelType.Int16,
            (32, false) => VoxelType.UInt32,
            (32, true) => VoxelType.Int32,
            _ => throw new VolumeFormatException(first.Path, "BitsAllocated (0028,0100)", bits.ToString(CultureInfo.InvariantCulture), "8, 16 or 32"),
        };
        var iop = first.GetNumbers(DicomTag.ImageOrientationPatient) ?? throw new VolumeFormatException(first.Path, "ImageOrientationPatient (0020,0037)", "missing", "six direction cosines");
        if (iop.Length != 6)
        {
            throw new VolumeFormatException(first.Path, "ImageOrientationPatient (0020,0037)", $"{iop.Length} values", "six direction cosines");
        }

        var rowDir = Normalise([iop[0], iop[1], iop[2]], first.Path);
        var colDir = Normalise([iop[3], iop[4], iop[5]], first.Path);
        var normal = Normalise(Cross(rowDir, colDir), first.Path);
        var spacing = first.GetNumbers(DicomTag.PixelSpacing) ?? throw new VolumeFormatException(first.Path, "PixelSpacing (0028,0030)", "missing", "row and column spacing in mm");
        if (spacing.Length != 2 || !(spacing[0] > 0) || !(spacing[1] > 0))
        {
            throw new VolumeFormatException(first.Path, "PixelSpacing (0028,0030)", string.Join('\\', spacing), "two positive values");
        }

        var positioned = new List<(DicomFile File, double[] Position, double Distance)>();
        foreach (var s in slices)
        {
            if (s.GetUInt16(DicomTag.Rows) != rows || s.GetUInt16(DicomTag.Columns) != columns || s.GetUInt16(DicomTag.BitsAllocated) != bits)
            {
                throw new VolumeFormatException(s.Path, "Rows/Columns/BitsAllocated", $"{s.GetUInt16(DicomTag.Rows)}×{s.GetUInt16(DicomTag.Columns)}, {s.GetUInt16(DicomTag.BitsAllocated)} bits", $"{rows}×{columns}, {bits} bits like the rest of the series");
            }

            var o = s.GetNumbers(DicomTag.ImageOrientationPatient);
            if (o is null || o.Length != 6 || o.Zip(iop).Any(p => Math.Abs(p.First - p.Second) > 1e-4))
            {
                throw new VolumeFormatException(s.Path, "ImageOrientationPatient (0020,0037)", o is null ? "missing" : string.Join('\\', o), $"the series orientation {string.Join('\\', iop)} (one orientation per volume)");
            }

            var p = s.GetNumbers(DicomTag.ImagePositionPatient);
            if (p is null || p.Length != 3)
            {
                throw new VolumeFormatException(s.Path, "ImagePositionPatient (0020,0032)", p is null ? "missing" : $"{p.Length} values", "x\\y\\z in mm");
            }

            if (s.PixelDataOffset < 0 || s.PixelDataLength < (long)rows * columns * (bits / 8))
            {
                throw new VolumeFormatException(s.Path, "PixelData (7FE0,0010)", s.PixelDataOffset < 0 ? "missing" : $"{s.PixelDataLength} bytes", $"{(long)rows * columns * (bits / 8)} bytes of uncompressed pixels");
            }

            positioned.Add((s, p, Dot(p, normal)));
        }

        positioned.Sort((a, b) => a.Distance.CompareTo(b.Distance));
        var sliceSpacing = first.GetNumbers(DicomTag.SliceThickness)?[0] ?? 1.0;
        if (positioned.Count > 1)
        {
            var gaps = positioned.Zip(positioned.Skip(1), (a, b) => b.Distance - a.Distance).ToArray();
            var mean = (positioned[^1].Distance - positioned[0].Distance) / (positioned.Count - 1);
            if (gaps.Any(g => g < 1e-4))
            {
                var dup = positioned.Zip(positioned.Skip(1)).First(p => p.Second.Distance - p.First.Distance < 1e-4);
                throw new VolumeFormatException(folder, "ImagePositionPatient (0020,0032)", $"two slices at the same position ({Path.GetFileName(dup.First.File.Path)}, {Path.GetFileName(dup.Second.File.Path)})", "one slice per position (a multi-volume series, e.g. several echoes or diffusion directions, is not a 3D volume)");
            }

            var worst = gaps.Max(g => Math.Abs(g - mean));
            if (worst > options.SliceSpacingTolerance * mean)
            {
                throw new VolumeFormatException(folder, "ImagePositionPatient (0020,0032)", $"uneven slice gaps from {gaps.Min().ToString("G6", CultureInfo.InvariantCulture)} to {gaps.Max().ToString("G6", CultureInfo.InvariantCulture)} mm", $"evenly spaced slices (within {options.SliceSpacingTolerance:P1} of the mean gap {mean.ToString("G6", CultureInfo.InvariantCulture)} mm); resample the series or raise {VolumeFormatException.SettingName(VolumeReadSetting.SliceSpacingTolerance)}")
                {
                    Setting = VolumeReadSetting.SliceSpacingTolerance,
                };
            }

            sliceSpacing = mean;
        }

        // LPS affine: i = column (along the row direction), j = row (along the column direction), k = slice.
        var lps = new double[4, 4];
        var origin = positioned[0].Position;
        for (var r = 0; r < 3; r++)
        {
            lps[r, 0] = rowDir[r] * spacing[1];
            lps[r, 1] = colDir[r] * spacing[0];
            lps[r, 2] = normal[r] * sliceSpacing;
            lps[r, 3] = origin[r];
        }

        lps[3, 3] = 1;
        var geometry = VolumeGeometry.FromLps([columns, rows, positioned.Count], lps);
        VoxelDecoder.CheckBudget(folder, "Rows×Columns×slices", geometry.VoxelCount, type.SizeInBytes(), long.MaxValue / 2, false, options.MaxVoxels);

        HermesRuntime.EnsureInitialized();
        var slopes = new double[positioned.Count];
        var intercepts = new double[positioned.Count];
        var storage = type switch { VoxelType.UInt16 => ScalarType.Int16, VoxelType.UInt32 => ScalarType.Int32, _ => type.MemoryType() };
        var raw = torch.empty([positioned.Count, rows, columns], storage);
        try
        {
            TensorBytes.ForEachChunk(raw, HugePages.Advise);
            var sliceBytes = (long)rows * columns * (bits / 8);
            for (var k = 0; k < positioned.Count; k++)
            {
                var f = positioned[k].File;
                var bytes = File.ReadAllBytes(f.Path);
                using var slice = raw[k];
                bytes.AsSpan((int)f.PixelDataOffset, (int)sliceBytes).CopyTo(slice.bytes);
                slopes[k] = options.ApplyScaling ? f.GetNumbers(DicomTag.RescaleSlope)?[0] ?? 1 : 1;
                intercepts[k] = options.ApplyScaling ? f.GetNumbers(DicomTag.RescaleIntercept)?[0] ?? 0 : 0;
            }
        }
        catch
        {
            raw.Dispose();
            throw;
        }

        var data = Decode(raw, type, bits, stored, signed);
        var integral = slopes.All(s => s == 1) && intercepts.All(i => i == Math.Floor(i));
        if (slopes.Any(s => s != 1) || intercepts.Any(i => i != 0))
        {
            using var scope = NewDisposeScope();
            var target = integral ? ScalarType.Int32 : ScalarType.Float32;
            var compute = integral ? ScalarType.Int32 : ScalarType.Float64;
            using var values = data.to(compute);
            var slopeT = torch.tensor(slopes).to(compute).reshape(-1, 1, 1);
            var interT = torch.tensor(intercepts).to(compute).reshape(-1, 1, 1);
            var result = values.mul(slopeT).add_(interT).to(target);
            data.Dispose();
            data = result.MoveToOuterDisposeScope();
        }

        var metadata = new VolumeMetadata
        {
            Format = "DICOM",
            DiskType = type,
            Path = Path.GetFullPath(folder),
            ScaleSlope = slopes.Distinct().Count() == 1 ? slopes[0] : double.NaN,
            ScaleIntercept = intercepts.Distinct().Count() == 1 ? intercepts[0] : double.NaN,
            Properties = new Dictionary<string, string>
            {
                ["Modality"] = first.GetString(DicomTag.Modality) ?? "",
                ["SeriesInstanceUID"] = first.GetString(DicomTag.SeriesInstanceUid) ?? "",
                ["SeriesDescription"] = first.GetString(DicomTag.SeriesDescription) ?? "",
                ["TransferSyntaxUID"] = first.TransferSyntaxUid,
                ["slices"] = positioned.Count.ToString(CultureInfo.InvariantCulture),
            },
        };
        return new Volume(data.unsqueeze(0), geometry, metadata);
    }

    private static Tensor Decode(Tensor raw, VoxelType type, int bits, int stored, bool signed)
    {
        using var scope = NewDisposeScope();
        Tensor result = type switch
        {
            VoxelType.UInt16 => raw.to(ScalarType.Int32).bitwise_and(0xFFFF),
            VoxelType.UInt32 => raw.to(ScalarType.Int64).bitwise_and(0xFFFFFFFFL),
            _ => raw.alias(),
        };
        if (stored < bits && stored > 0)
        {
            if (signed)
            {
                var shift = (result.element_size() * 8) - stored;
                result = result.bitwise_left_shift(shift).bitwise_right_shift(shift);
            }
            else
            {
                result = result.bitwise_and((1L << stored) - 1);
            }
        }

        raw.Dispose();
        return result.MoveToOuterDisposeScope();
    }

    private static int Required(DicomFile f, uint tag, string name) =>
        f.GetUInt16(tag) is { } v && v > 0 ? v : throw new VolumeFormatException(f.Path, $"{name} ({tag >> 16:X4},{tag & 0xFFFF:X4})", f.GetUInt16(tag)?.ToString(CultureInfo.InvariantCulture) ?? "missing", "a positive value");

    private static double[] Normalise(double[] v, string file)
    {
        var n = Math.Sqrt(Dot(v, v));
        if (!(n > 1e-6))
        {
            throw new VolumeFormatException(file, "ImageOrientationPatient (0020,0037)", string.Join('\\', v), "non-zero, non-parallel direction cosines");
        }

        return [v[0] / n, v[1] / n, v[2] / n];
    }

    private static double[] Cross(double[] a, double[] b) => [(a[1] * b[2]) - (a[2] * b[1]), (a[2] * b[0]) - (a[0] * b[2]), (a[0] * b[1]) - (a[1] * b[0])];

    private static double Dot(double[] a, double[] b) => (a[0] * b[0]) + (a[1] * b[1]) + (a[2] * b[2]);
}
