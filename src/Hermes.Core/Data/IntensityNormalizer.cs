using Hermes.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>Applies an <see cref="IntensityNormalization"/> to each channel of a float32 image <c>[C, D, H, W]</c>.</summary>
internal static class IntensityNormalizer
{
    public static Tensor Apply(Tensor image, IntensityNormalization normalization)
    {
        using var scope = NewDisposeScope();
        var channels = new List<Tensor>();
        for (var c = 0; c < image.shape[0]; c++)
        {
            var x = image[c].to(ScalarType.Float64);
            switch (normalization.Clip)
            {
                case IntensityClipMode.FixedRange:
                    x = x.clamp(normalization.Lower, normalization.Upper);
                    break;
                case IntensityClipMode.Percentiles:
                    var (lo, hi) = Preprocessing.IntensityTransforms.Percentiles(x, normalization.Lower, normalization.Upper);
                    x = x.clamp(lo, hi);
                    break;
            }

            if (normalization.ZScore)
            {
                var mean = x.mean().ToDouble();
                var std = x.std(unbiased: false).ToDouble();
                x = std > 1e-8 ? (x - mean) / std : x - mean;
            }

            channels.Add(x.to(ScalarType.Float32));
        }

        return stack(channels, 0).MoveToOuterDisposeScope();
    }
}
