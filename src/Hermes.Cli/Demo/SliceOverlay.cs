using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Cli.Demo;

/// <summary>
/// Writes a PNG with the central axial, coronal and sagittal slices of a volume side by side, the label map blended on
/// top in one colour per label. Displayed in radiological convention for a RAS+ grid (patient right on the image left,
/// anterior and superior up).
/// </summary>
internal static class SliceOverlay
{
    private const int Zoom = 4;
    private const float Alpha = 0.45f;

    private static readonly Rgb24[] Palette =
    [
        new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48),
        new(145, 30, 180), new(70, 240, 240), new(240, 50, 230),
    ];

    /// <summary>Writes the overlay (grey window: 40th–99.5th intensity percentile, so the body, not the air, sets the contrast).</summary>
    /// <param name="image">Intensities <c>[D, H, W]</c> (k, j, i of a RAS+ grid).</param>
    /// <param name="labels">Label map <c>[D, H, W]</c>, 0 = background.</param>
    /// <param name="path">The PNG path.</param>
    public static void Write(Tensor image, Tensor labels, string path)
    {
        using var scope = NewDisposeScope();
        var img = image.to_type(ScalarType.Float32).cpu();
        var flat = img.flatten();
        var window = flat.quantile(tensor(new[] { 0.4f, 0.995f })).data<float>().ToArray();
        var (lo, hi) = (window[0], window[1]);
        var gray = img.sub(lo).div(Math.Max(hi - lo, 1e-6f)).clamp(0, 1).mul(255).to_type(ScalarType.Byte);
        var lab = labels.to_type(ScalarType.Byte).cpu();
        long d = img.shape[0], h = img.shape[1], w = img.shape[2];

        // Each view as [rows, cols] with rows top-to-bottom: axial (anterior up), coronal and sagittal (superior up).
        var views = new (Tensor Gray, Tensor Label)[]
        {
            (gray[d / 2].flip(0, 1), lab[d / 2].flip(0, 1)),
            (gray.select(1, h / 2).flip(0, 1), lab.select(1, h / 2).flip(0, 1)),
            (gray.select(2, w / 2).flip(0, 1), lab.select(2, w / 2).flip(0, 1)),
        };
        var width = views.Sum(v => (int)v.Gray.shape[1] * Zoom) + (Zoom * (views.Length - 1));
        var height = views.Max(v => (int)v.Gray.shape[0] * Zoom);
        using var png = new Image<Rgb24>(width, height, new Rgb24(0, 0, 0));
        var x0 = 0;
        foreach (var (g, l) in views)
        {
            int rows = (int)g.shape[0], cols = (int)g.shape[1];
            var gv = g.contiguous().data<byte>().ToArray();
            var lv = l.contiguous().data<byte>().ToArray();
            for (var r = 0; r < rows * Zoom; r++)
            {
                for (var c = 0; c < cols * Zoom; c++)
                {
                    var i = ((r / Zoom) * cols) + (c / Zoom);
                    var v = gv[i];
                    var pixel = new Rgb24(v, v, v);
                    if (lv[i] > 0)
                    {
                        var p = Palette[(lv[i] - 1) % Palette.Length];
                        pixel = new Rgb24(Blend(v, p.R), Blend(v, p.G), Blend(v, p.B));
                    }

                    png[x0 + c, r] = pixel;
                }
            }

            x0 += (cols * Zoom) + Zoom;
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        png.SaveAsPng(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    private static byte Blend(byte gray, byte colour) => (byte)Math.Round(((1 - Alpha) * gray) + (Alpha * colour));
}
