using Hermes.Preprocessing;
using Hermes.Visualization;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.Experiments;

/// <summary>
/// Writes a PNG of one case with <see cref="SliceOverlay"/> (axial, coronal and sagittal views, prediction filled, reference
/// outlined) after re-orienting the volumes to RAS+, with the dataset's labels numbered 1, 2, … and coloured by
/// <see cref="OverlayPalette.ForLabel"/>.
/// </summary>
public static class OverlayImage
{
    /// <summary>Writes the overlay.</summary>
    /// <param name="image">The image volume (first channel shown).</param>
    /// <param name="reference">The reference label map with the dataset's own values.</param>
    /// <param name="prediction">The predicted label map (label i + 1 = the dataset's i-th label).</param>
    /// <param name="values">The dataset's label values in order.</param>
    /// <param name="title">A caption.</param>
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
        var numbered = zeros(reference.Data.shape, ScalarType.Int32);
        for (var i = 0; i < values.Count; i++)
        {
            numbered.masked_fill_(reference.Data.eq(values[i]), i + 1);
        }

        var reference0 = toCanonical.Apply(numbered)[0];
        var predicted0 = toCanonical.Apply(prediction.Data.to(ScalarType.Int32))[0];
        var colours = Enumerable.Range(1, values.Count).ToDictionary(label => label, OverlayPalette.ForLabel);
        var zoom = Math.Max(1, 320 / (int)img.shape.Max());
        SliceOverlay.Write(img, predicted0, reference0, colours, path, title, zoom);
    }
}
