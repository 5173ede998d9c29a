using Hermes.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using Hermes.Runtime;
using static TorchSharp.torch;

namespace Hermes.Cli.Demo;

/// <summary>
/// Writes a PNG with an axial, a coronal and a sagittal slice of a volume side by side: the predicted label map blended
/// on top (filled, one colour per label) and the reference label map as a solid outline in the same colour. Each view
/// shows the slice with the most distinct labels (then the most labelled voxels), so every structure is visible.
/// Displayed in radiological convention for a RAS+ grid (patient right on the image left, anterior and superior up).
/// </summary>
internal static class SliceOverlay
{
    /// <summary>Display pixels per voxel.</summary>
    public const int Zoom = 4;

    private const float Alpha = 0.45f;

    /// <summary>
    /// Writes the overlay. Grey window: the 10th–99.5th intensity percentiles of the body, i.e. of the voxels above the
    /// Otsu threshold that separates air from the patient, so the tissues, not the air, set the contrast.
    /// </summary>
    /// <param name="image">Intensities <c>[D, H, W]</c> (k, j, i of a RAS+ grid).</param>
    /// <param name="prediction">Predicted label map <c>[D, H, W]</c>, 0 = background (filled).</param>
    /// <param name="reference">Reference label map <c>[D, H, W]</c> (outlined), or <see langword="null"/>.</param>
    /// <param name="colours">The colour of each label value; values without a colour are not drawn.</param>
    /// <param name="path">The PNG path.</param>
    public static void Write(Tensor image, Tensor prediction, Tensor? reference, IReadOnlyDictionary<int, Rgb24> colours, string path)
    {
        using var scope = NewDisposeScope();
        var img = image.to_type(ScalarType.Float32).cpu();
        var (lo, hi) = BodyWindow(img.flatten());
        var gray = img.sub(lo).div(hi - lo).clamp(0, 1).mul(255).to_type(ScalarType.Byte);
        var pred = prediction.to_type(ScalarType.Int32).cpu();
        var refr = (reference ?? zeros_like(prediction)).to_type(ScalarType.Int32).cpu();

        // Each view as [rows, cols] with rows top-to-bottom: axial (anterior up), coronal and sagittal (superior up).
        var views = new (Tensor Gray, Tensor Prediction, Tensor Reference)[3];
        for (var axis = 0; axis < 3; axis++)
        {
            var index = MostInformativeSlice(pred, refr, axis);
            views[axis] = (gray.select(axis, index).flip(0, 1), pred.select(axis, index).flip(0, 1), refr.select(axis, index).flip(0, 1));
        }

        var width = views.Sum(v => (int)v.Gray.shape[1] * Zoom) + (Zoom * (views.Length - 1));
        var height = views.Max(v => (int)v.Gray.shape[0] * Zoom);
        using var png = new Image<Rgb24>(width, height, new Rgb24(0, 0, 0));
        var x0 = 0;
        foreach (var (g, p, r) in views)
        {
            Draw(png, x0, g, p, r, colours);
            x0 += ((int)g.shape[1] * Zoom) + Zoom;
        }

        AtomicFile.Write(path, png.SaveAsPng);
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
        foreach (var v in values.data<int>().ToArray().Where(v => v > 0))
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

    /// <summary>Draws one view: grey image, the prediction blended, the reference's boundary as a one-pixel solid line.</summary>
    private static void Draw(Image<Rgb24> png, int x0, Tensor gray, Tensor prediction, Tensor reference, IReadOnlyDictionary<int, Rgb24> colours)
    {
        int rows = (int)gray.shape[0], cols = (int)gray.shape[1];
        var gv = gray.contiguous().data<byte>().ToArray();
        var pv = prediction.contiguous().data<int>().ToArray();
        var rv = reference.contiguous().data<int>().ToArray();
        int Reference(int row, int col) => row < 0 || col < 0 || row >= rows || col >= cols ? 0 : rv[(row * cols) + col];
        for (var y = 0; y < rows * Zoom; y++)
        {
            for (var x = 0; x < cols * Zoom; x++)
            {
                int row = y / Zoom, col = x / Zoom, i = (row * cols) + col;
                var v = gv[i];
                var pixel = new Rgb24(v, v, v);
                if (pv[i] > 0 && colours.TryGetValue(pv[i], out var fill))
                {
                    pixel = new Rgb24(Blend(v, fill.R), Blend(v, fill.G), Blend(v, fill.B));
                }

                // The outline runs along the inner edge of each reference region: the block's edge pixels that face a
                // voxel with another label.
                var own = rv[i];
                if (own > 0 && colours.TryGetValue(own, out var line) &&
                    ((y % Zoom == 0 && Reference(row - 1, col) != own) || (y % Zoom == Zoom - 1 && Reference(row + 1, col) != own) ||
                     (x % Zoom == 0 && Reference(row, col - 1) != own) || (x % Zoom == Zoom - 1 && Reference(row, col + 1) != own)))
                {
                    pixel = line;
                }

                png[x0 + x, y] = pixel;
            }
        }
    }

    private static byte Blend(byte gray, byte colour) => (byte)Math.Round(((1 - Alpha) * gray) + (Alpha * colour));
}
