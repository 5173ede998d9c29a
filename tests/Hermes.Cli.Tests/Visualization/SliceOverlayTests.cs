using Hermes.Visualization;
using SkiaSharp;
using static TorchSharp.torch;

namespace Hermes.Cli.Tests.Visualization;

/// <summary>
/// <see cref="SliceOverlay"/>: three zoomed views side by side, the prediction blended over the grey image (45 % colour),
/// the reference's inner boundary in the solid colour, labels without a colour left out, a caption band on request, and
/// clear errors for volumes that do not match.
/// </summary>
public sealed class SliceOverlayTests
{
    private static readonly SKColor Red = OverlayPalette.ForLabel(1);

    [Fact]
    public void ViewsAreFilledOutlinedAndOnlyColouredLabelsAreDrawn()
    {
        // A black image (constant intensities window to grey 0), so every pixel's colour is known exactly.
        var (image, prediction, reference) = Volumes();
        var path = Path.Combine(Directory.CreateTempSubdirectory("hermes-overlay").FullName, "case.png");
        try
        {
            SliceOverlay.Write(image, prediction, reference, new Dictionary<int, SKColor> { [1] = Red }, path, zoom: 3);
            using var png = SKBitmap.Decode(path);
            Assert.Equal(((24 + 24 + 20) * 3) + (2 * 3), png.Width); // axial [H, W], coronal [D, W], sagittal [D, H], two gaps
            Assert.Equal(20 * 3, png.Height);
            var fill = new SKColor(Blend(Red.Red), Blend(Red.Green), Blend(Red.Blue));
            var colours = png.Pixels.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(new HashSet<SKColor> { SKColors.Black, fill, Red }, [.. colours.Keys]); // label 2 has no colour: not drawn
            // Every view cuts the reference box whole (7 × 8, 6 × 8 and 6 × 7 voxels); its outline is the rim of the zoomed box.
            static int Rim(int a, int b) => (a * 3 * b * 3) - (((a * 3) - 2) * ((b * 3) - 2));
            Assert.Equal(Rim(7, 8) + Rim(6, 8) + Rim(6, 7), colours[Red]);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void TheOutlineIsTheReferenceBoundaryAtBlockEdges()
    {
        // One reference voxel block: with zoom 4 its outline is the 4 × 4 block's rim (12 pixels), its centre (4 pixels) is not.
        var image = zeros(16, 16, 16);
        var reference = zeros(16, 16, 16, ScalarType.Int32);
        reference[8, 8, 8] = tensor(1);
        var path = Path.Combine(Directory.CreateTempSubdirectory("hermes-overlay").FullName, "one.png");
        try
        {
            SliceOverlay.Write(image, zeros_like(reference), reference, new Dictionary<int, SKColor> { [1] = Red }, path);
            using var png = SKBitmap.Decode(path);
            Assert.Equal(3 * 12, png.Pixels.Count(p => p == Red)); // three views, one rim each
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void ACaptionAddsABandAbove()
    {
        var (image, prediction, reference) = Volumes();
        var path = Path.Combine(Directory.CreateTempSubdirectory("hermes-overlay").FullName, "captioned.png");
        try
        {
            SliceOverlay.Write(image, prediction, reference, new Dictionary<int, SKColor> { [1] = Red }, path, caption: "hippocampus_001", zoom: 2);
            using var png = SKBitmap.Decode(path);
            Assert.Equal((20 * 2) + SliceOverlay.CaptionHeight, png.Height);
            if (SKFontManager.Default.FontFamilyCount > 0)
            {
                var band = Enumerable.Range(0, SliceOverlay.CaptionHeight).SelectMany(y => Enumerable.Range(0, png.Width).Select(x => png.GetPixel(x, y)));
                Assert.Contains(band, p => p.Red > 200 && p.Green > 200 && p.Blue > 200); // the white text
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void MismatchedVolumesAreRejectedWithTheirShapes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hermes-never-{Guid.NewGuid():N}.png");
        var error = Assert.Throws<ArgumentException>(() =>
            SliceOverlay.Write(zeros(16, 16, 16), zeros(16, 16, 15, ScalarType.Int32), null, new Dictionary<int, SKColor>(), path));
        Assert.Contains("image [16, 16, 16], prediction [16, 16, 15]", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private static byte Blend(byte colour) => (byte)Math.Round(0.45 * colour, MidpointRounding.ToEven);

    /// <summary>D 16, H 20, W 24: prediction label 1 in one box and label 2 (no colour) in another, reference label 1 shifted.</summary>
    private static (Tensor Image, Tensor Prediction, Tensor Reference) Volumes()
    {
        var prediction = zeros(16, 20, 24, ScalarType.Int32);
        prediction[TensorIndex.Slice(4, 10), TensorIndex.Slice(5, 12), TensorIndex.Slice(6, 14)] = tensor(1);
        prediction[TensorIndex.Slice(2, 4), TensorIndex.Slice(15, 18), TensorIndex.Slice(18, 22)] = tensor(2);
        var reference = zeros(16, 20, 24, ScalarType.Int32);
        reference[TensorIndex.Slice(6, 12), TensorIndex.Slice(7, 14), TensorIndex.Slice(8, 16)] = tensor(1);
        return (zeros(16, 20, 24), prediction, reference);
    }
}
