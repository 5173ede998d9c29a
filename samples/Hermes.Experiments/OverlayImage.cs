using Hermes.Preprocessing;
using Hermes.Volumes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Experiments;

/// <summary>
/// Writes a PNG of one case: the axial slice with the most reference foreground, reference on the left and prediction on
/// the right, one colour per label, in radiological display of the RAS+ re-oriented volume (patient right on the image
/// left, anterior up).
/// </summary>
public static class OverlayImage
{
    private const float Alpha = 0.5f;

    private static readonly Rgb24[] Palette =
    [
        new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48),
        new(145, 30, 180), new(70, 240, 240), new(240, 50, 230),
    ];

    /// <summary>Writes the overlay.</summary>
    /// <param name="image">The image volume (first channel shown).</param>
    /// <param name="reference">The reference label map with the dataset's own values.</param>
    /// <param name="prediction">The predicted label map (label i + 1 = the dataset's i-th label).</param>
    /// <param name="values">The dataset's label values in order.</param>
    /// <param name="title">A caption (upper-cased pixel font).</param>
    /// <param name="path">The PNG file.</param>
    public static void Write(Volume image, Volume reference, Volume prediction, IReadOnlyList<int> values, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(values);
        using var scope = NewDisposeScope();
        var toCanonical = Reorientation.ToCanonical(image.Geometry);
        var img = toCanonical.Apply(image.Data.narrow(0, 0, 1).to(ScalarType.Float32))[0];
        var refMap = zeros(reference.Data.shape, ScalarType.Byte);
        var rounded = reference.Data;
        for (var i = 0; i < values.Count; i++)
        {
            refMap.masked_fill_(rounded.eq(values[i]), i + 1);
        }

        var reference0 = toCanonical.Apply(refMap)[0];
        var predicted0 = toCanonical.Apply(prediction.Data.to(ScalarType.Byte))[0];
        var slice = reference0.ne(0).sum([1, 2]).argmax().item<long>();
        if (reference0.ne(0).sum().item<long>() == 0)
        {
            slice = img.shape[0] / 2;
        }

        // Axial slice [H: posterior → anterior, W: left → right]: flip both so anterior is up and patient right is on the left.
        var gray = Window(img[slice]).flip(0, 1);
        var left = reference0[slice].flip(0, 1);
        var right = predicted0[slice].flip(0, 1);
        int rows = (int)gray.shape[0], cols = (int)gray.shape[1];
        var zoom = Math.Max(1, 320 / Math.Max(rows, cols));
        const int caption = 30;
        using var png = new Image<Rgb24>((2 * cols * zoom) + zoom, (rows * zoom) + caption, new Rgb24(0, 0, 0));
        var gv = gray.contiguous().data<byte>().ToArray();
        foreach (var (labels, x0) in new[] { (left, 0), (right, (cols * zoom) + zoom) })
        {
            var lv = labels.contiguous().data<byte>().ToArray();
            for (var r = 0; r < rows * zoom; r++)
            {
                for (var c = 0; c < cols * zoom; c++)
                {
                    var i = ((r / zoom) * cols) + (c / zoom);
                    var v = gv[i];
                    var pixel = new Rgb24(v, v, v);
                    if (lv[i] > 0)
                    {
                        var color = Palette[(lv[i] - 1) % Palette.Length];
                        pixel = new Rgb24(Blend(v, color.R), Blend(v, color.G), Blend(v, color.B));
                    }

                    png[x0 + c, caption + r] = pixel;
                }
            }
        }

        PixelFont.Draw(png, title, 4, 4, new Rgb24(255, 255, 255), 2);
        Hermes.Runtime.AtomicFile.Write(path, png.SaveAsPng);
    }

    private static byte Blend(byte gray, byte color) => (byte)Math.Round(((1 - Alpha) * gray) + (Alpha * color));

    /// <summary>Grey values: the 1st–99.5th percentile of the slice mapped to 0–255.</summary>
    private static Tensor Window(Tensor slice)
    {
        var flat = slice.flatten();
        var q = flat.quantile(tensor(new[] { 0.01f, 0.995f })).data<float>().ToArray();
        return slice.sub(q[0]).div(Math.Max(q[1] - q[0], 1e-6f)).clamp(0, 1).mul(255).to(ScalarType.Byte);
    }
}
