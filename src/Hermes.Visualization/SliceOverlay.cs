using Hermes.Runtime;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Visualization;

/// <summary>
/// Writes a PNG with an axial, a coronal and a sagittal slice of a volume side by side: the predicted label map blended
/// on top (filled, one colour per label) and the reference label map as a solid outline in the same colour. Each view
/// shows the slice with the most distinct labels (then the most labelled voxels), so every structure is visible.
/// Displayed in radiological convention for a RAS+ grid (patient right on the image left, anterior and superior up).
/// </summary>
/// <remarks>
/// The picture is composed with tensor operations (zoom, blend, outline) and encoded by SkiaSharp; a caption, when
/// given, is drawn with the system's default typeface (on a machine without fonts it stays blank; the picture does not).
/// </remarks>
public static class SliceOverlay
{
    /// <summary>Display pixels per voxel unless the caller chooses.</summary>
    public const int DefaultZoom = 4;

    /// <summary>Height of the caption band in pixels (when there is a caption).</summary>
    public const int CaptionHeight = 30;

    private const float Alpha = 0.45f;

    /// <summary>
    /// Writes the overlay. Grey window: the 10th–99.5th intensity percentiles of the body, i.e. of the voxels above the
    /// Otsu threshold that separates air from the patient, so the tissues, not the air, set the contrast.
    /// </summary>
    /// <param name="image">Intensities <c>[D, H, W]</c> (k, j, i of a RAS+ grid).</param>
    /// <param name="prediction">Predicted label map <c>[D, H, W]</c>, 0 = background (filled).</param>
    /// <param name="reference">Reference label map <c>[D, H, W]</c> (outlined), or <see langword="null"/>.</param>
    /// <param name="colours">The colour of each label value; values without a colour are not drawn.</param>
    /// <param name="path">The PNG path (written atomically).</param>
    /// <param name="caption">A line of text above the views, or <see langword="null"/> for none.</param>
    /// <param name="zoom">Display pixels per voxel (1–64).</param>
    public static void Write(Tensor image, Tensor prediction, Tensor? reference, IReadOnlyDictionary<int, SKColor> colours, string path,
        string? caption = null, int zoom = DefaultZoom)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(colours);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(zoom, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(zoom, 64);
        if (image.dim() != 3 || !image.shape.SequenceEqual(prediction.shape) || (reference is not null && !reference.shape.SequenceEqual(prediction.shape)))
        {
            throw new ArgumentException(
                $"SliceOverlay needs three [D, H, W] volumes of one shape; got image {Shape(image)}, prediction {Shape(prediction)}, reference {(reference is null ? "none" : Shape(reference))}.");
        }

        using var scope = NewDisposeScope();
        var img = image.to_type(ScalarType.Float32).cpu();
        var (lo, hi) = BodyWindow(img.flatten());
        var gray = img.sub(lo).div(hi - lo).clamp(0, 1).mul(255).round();
        var pred = prediction.to_type(ScalarType.Int64).cpu();
        var refr = (reference ?? zeros_like(prediction)).to_type(ScalarType.Int64).cpu();
        var (lut, known) = LookUpTable(colours);

        // Each view as [rows, cols, 3] with rows top-to-bottom: axial (anterior up), coronal and sagittal (superior up).
        var views = new List<Tensor>();
        for (var axis = 0; axis < 3; axis++)
        {
            var index = MostInformativeSlice(pred, refr, axis);
            views.Add(View(gray.select(axis, index).flip(0, 1), pred.select(axis, index).flip(0, 1), refr.select(axis, index).flip(0, 1), lut, known, zoom));
        }

        var top = caption is null ? 0 : CaptionHeight;
        var height = top + views.Max(v => (int)v.shape[0]);
        var gap = zeros([height, zoom, 3], ScalarType.Byte);
        var columns = new List<Tensor>();
        foreach (var view in views)
        {
            if (columns.Count > 0)
            {
                columns.Add(gap);
            }

            columns.Add(nn.functional.pad(view, [0, 0, 0, 0, top, height - top - view.shape[0]]));
        }

        using var bitmap = Bitmap(cat(columns, 1));
        if (caption is not null)
        {
            using var canvas = new SKCanvas(bitmap);
            using var font = new SKFont(SKTypeface.Default, 18);
            using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
            canvas.DrawText(caption, 6, 22, SKTextAlign.Left, font, paint);
        }

        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, png.SaveTo);
    }

    /// <summary>One view <c>[rows·zoom, cols·zoom, 3]</c> bytes: grey, the prediction blended in, the reference's inner boundary in solid colour.</summary>
    private static Tensor View(Tensor gray, Tensor prediction, Tensor reference, Tensor lut, Tensor known, int zoom)
    {
        Tensor Zoom(Tensor t) => t.repeat_interleave(zoom, 0).repeat_interleave(zoom, 1);
        var g = Zoom(gray).unsqueeze(-1).expand(-1, -1, 3);
        var p = Coloured(Zoom(prediction), known);
        var r = Coloured(Zoom(reference), known);
        var rgb = where(p.gt(0).unsqueeze(-1), g.mul(1 - Alpha).add(lut[p].mul(Alpha)).round(), g);

        // The outline runs along the inner edge of each reference region: the pixels of a coloured region with a 4-neighbour
        // (outside the view counts as background) of another label; after the zoom these are the block edges that face it.
        var padded = nn.functional.pad(r, [1, 1, 1, 1]);
        long rows = r.shape[0], cols = r.shape[1];
        var edge = padded.narrow(0, 0, rows).narrow(1, 1, cols).ne(r)
            .logical_or(padded.narrow(0, 2, rows).narrow(1, 1, cols).ne(r))
            .logical_or(padded.narrow(0, 1, rows).narrow(1, 0, cols).ne(r))
            .logical_or(padded.narrow(0, 1, rows).narrow(1, 2, cols).ne(r))
            .logical_and(r.gt(0));
        return where(edge.unsqueeze(-1), lut[r], rgb).to_type(ScalarType.Byte);
    }

    /// <summary>The label map with values that have no colour set to 0 (not drawn).</summary>
    private static Tensor Coloured(Tensor labels, Tensor known)
    {
        var inRange = labels.gt(0).logical_and(labels.lt(known.shape[0]));
        var index = where(inRange, labels, zeros_like(labels));
        return where(known[index], index, zeros_like(index));
    }

    /// <summary>Colour table <c>[max + 1, 3]</c> (float) and which label values have a colour.</summary>
    private static (Tensor Lut, Tensor Known) LookUpTable(IReadOnlyDictionary<int, SKColor> colours)
    {
        var size = colours.Keys.Where(k => k > 0).DefaultIfEmpty(0).Max() + 1;
        var table = new float[size * 3];
        var known = new bool[size];
        foreach (var (value, colour) in colours.Where(c => c.Key > 0))
        {
            (table[value * 3], table[(value * 3) + 1], table[(value * 3) + 2]) = (colour.Red, colour.Green, colour.Blue);
            known[value] = true;
        }

        return (tensor(table).reshape(size, 3), tensor(known));
    }

    private static SKBitmap Bitmap(Tensor rgb)
    {
        int height = (int)rgb.shape[0], width = (int)rgb.shape[1];
        var rgba = cat([rgb, full([height, width, 1], 255, ScalarType.Byte)], 2).contiguous();
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var bytes = rgba.data<byte>().ToArray();
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        return bitmap;
    }

    /// <summary>The 10th and 99.5th percentiles of the intensities above the Otsu threshold (256-bin histogram); the 10th, not the 1st, so the partial-volume rim between air and skin does not stretch the window.</summary>
    private static (float Low, float High) BodyWindow(Tensor values)
    {
        using var scope = NewDisposeScope();
        const int bins = 256;
        var (min, max) = (values.min().item<float>(), values.max().item<float>());
        if (!(max > min))
        {
            return (min, min + 1);
        }

        // Otsu: the split k that maximises the between-class variance ω0·ω1·(μ0 − μ1)².
        var index = values.sub(min).mul(bins / (max - min)).floor().clamp(0, bins - 1).to_type(ScalarType.Int64);
        var p = index.bincount(null, bins).to_type(ScalarType.Float64);
        p = p.div(p.sum());
        var centres = linspace(0, bins - 1, bins, ScalarType.Float64);
        var omega = p.cumsum(0);
        var mu = p.mul(centres).cumsum(0);
        var total = mu[-1];
        var between = total.mul(omega).sub(mu).square().div(omega.mul(omega.neg().add(1)).clamp_min(1e-12));
        var threshold = min + ((between.argmax().item<long>() + 1) * (max - min) / bins);
        var body = values.masked_select(values.gt(threshold));
        var window = (body.numel() > 0 ? body : values).quantile(tensor(new[] { 0.1f, 0.995f })).data<float>().ToArray();
        return (window[0], Math.Max(window[1], window[0] + 1e-6f));
    }

    /// <summary>The slice along <paramref name="axis"/> with the most distinct labels in either map, then the most labelled voxels.</summary>
    private static long MostInformativeSlice(Tensor prediction, Tensor reference, int axis)
    {
        using var scope = NewDisposeScope();
        var others = Enumerable.Range(0, 3).Where(a => a != axis).Select(a => (long)a).ToArray();
        var values = cat([prediction.flatten(), reference.flatten()]).unique().Item1;
        var distinct = zeros([prediction.shape[axis]], ScalarType.Float64);
        foreach (var v in values.data<long>().ToArray().Where(v => v > 0))
        {
            distinct.add_(prediction.eq(v).logical_or(reference.eq(v)).any(others[1]).any(others[0]).to_type(ScalarType.Float64));
        }

        var voxels = prediction.gt(0).logical_or(reference.gt(0)).sum(others, type: ScalarType.Float64);
        if (voxels.sum().item<double>() == 0)
        {
            return prediction.shape[axis] / 2;
        }

        return distinct.mul(1e9).add(voxels).argmax().item<long>(); // lexicographic: labels first, then voxels
    }

    private static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
}
