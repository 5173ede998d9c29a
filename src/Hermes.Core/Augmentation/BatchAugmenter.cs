using static TorchSharp.torch;

namespace Hermes.Augmentation;

/// <summary>
/// Augments a batch of patches on whatever device its tensors are on. Per sample: the spatial transform (with
/// <see cref="AugmentationOptions.SpatialProbability"/>; otherwise a random crop of the output size), mirroring, then the
/// intensity transforms in the reference's order (brightness, shift, gamma, contrast, blur, noise), each with the sample's
/// own probability. All parameters come from a generator seeded by the caller, so a seed fixes the result (on a device).
/// </summary>
public sealed class BatchAugmenter
{
    /// <summary>Creates the augmenter.</summary>
    /// <param name="options">Settings (validated here).</param>
    public BatchAugmenter(AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings.</summary>
    public AugmentationOptions Options { get; }

    /// <summary>Whether the spatial transform can run (then patches should be cut with a context margin).</summary>
    public bool UsesSpatialTransform => Options.SpatialProbability > 0;

    /// <summary>Augments a batch.</summary>
    /// <param name="image">Float images <c>[B, C, D, H, W]</c> (at least the output size).</param>
    /// <param name="label">Local label maps <c>[B, D, H, W]</c>, uint8, same spatial size as <paramref name="image"/>.</param>
    /// <param name="outputSize">Output <c>(D, H, W)</c>.</param>
    /// <param name="intensityProbability">Per sample, the probability of each intensity transform.</param>
    /// <param name="seed">Seed of this batch's random parameters.</param>
    /// <returns>Augmented images <c>[B, C, outD, outH, outW]</c> and label maps <c>[B, outD, outH, outW]</c> (only values present before).</returns>
    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, IReadOnlyList<int> outputSize, IReadOnlyList<double> intensityProbability, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(outputSize);
        ArgumentNullException.ThrowIfNull(intensityProbability);
        var batch = (int)image.shape[0];
        if (label.shape[0] != batch || intensityProbability.Count != batch)
        {
            throw new ArgumentException($"Batch sizes differ: image {batch}, label {label.shape[0]}, probabilities {intensityProbability.Count}.");
        }

        for (var a = 0; a < 3; a++)
        {
            if (image.shape[a + 2] < outputSize[a] || label.shape[a + 1] != image.shape[a + 2])
            {
                throw new ArgumentException($"Patch [{string.Join(", ", image.shape)}] / label [{string.Join(", ", label.shape)}] cannot give output ({string.Join(", ", outputSize)}).");
            }
        }

        var random = SeedSequence.CreateRandom(seed, 0);
        using var generator = new Generator(SeedSequence.Derive(seed, 1), image.device);
        using var scope = NewDisposeScope();
        var images = new List<Tensor>(batch);
        var labels = new List<Tensor>(batch);
        for (var b = 0; b < batch; b++)
        {
            var x = image[b].unsqueeze(0);
            var y = label[b].unsqueeze(0).unsqueeze(0);
            (x, y) = Spatial(x, y, outputSize, random);
            for (var axis = 0; axis < 3; axis++)
            {
                if (random.NextDouble() < Options.MirrorProbability)
                {
                    x = x.flip(axis + 2);
                    y = y.flip(axis + 2);
                }
            }

            var p = Options.IntensityProbabilityOverride ?? intensityProbability[b];
            images.Add(Intensity(x.squeeze(0), p, random, generator));
            labels.Add(y.squeeze(0).squeeze(0));
        }

        var outImage = stack(images, 0).MoveToOuterDisposeScope();
        var outLabel = stack(labels, 0).MoveToOuterDisposeScope();
        return (outImage, outLabel);
    }

    private (Tensor Image, Tensor Label) Spatial(Tensor x, Tensor y, IReadOnlyList<int> outputSize, Random random)
    {
        if (random.NextDouble() < Options.SpatialProbability)
        {
            var scale = new double[3];
            var shear = new double[6];
            var rotation = new double[3];
            for (var a = 0; a < 3; a++)
            {
                scale[a] = Uniform(random, Options.Scale);
            }

            for (var s = 0; s < 6; s++)
            {
                shear[s] = (random.NextDouble() * 2 - 1) * Options.MaxShear;
            }

            for (var a = 0; a < 3; a++)
            {
                rotation[a] = random.Next(-Options.MaxRotationDegrees, Math.Max(-Options.MaxRotationDegrees + 1, Options.MaxRotationDegrees));
            }

            var m = SpatialTransform.Matrix(rotation, scale, shear);
            var warpedImage = SpatialTransform.Warp(x, m, outputSize, nearest: false);
            using var yFloat = y.to(ScalarType.Float32);
            using var warpedLabel = SpatialTransform.Warp(yFloat, m, outputSize, nearest: true);
            return (warpedImage, warpedLabel.round().to(y.dtype));
        }

        var start = new int[3];
        for (var a = 0; a < 3; a++)
        {
            start[a] = random.Next(0, (int)x.shape[a + 2] - outputSize[a] + 1);
        }

        return (SpatialTransform.Crop(x, start, outputSize), SpatialTransform.Crop(y, start, outputSize));
    }

    private Tensor Intensity(Tensor x, double p, Random random, Generator generator)
    {
        // Draw every parameter whether or not it is used, so one transform's choice never shifts another's parameters.
        var doBrightness = random.NextDouble() < p;
        var brightness = Uniform(random, Options.Brightness);
        var doShift = random.NextDouble() < p;
        var shift = Gaussian(random) * Options.ShiftStd;
        var doGamma = random.NextDouble() < p;
        var gamma = Uniform(random, Options.Gamma);
        var doContrast = random.NextDouble() < p;
        var contrast = Uniform(random, Options.Contrast);
        var doBlur = random.NextDouble() < p;
        var sigma = Uniform(random, Options.BlurSigma);
        var doNoise = random.NextDouble() < p;
        var noise = random.NextDouble() * Options.MaxNoiseStd;
        if (doBrightness)
        {
            x = IntensityTransforms.Brightness(x, brightness);
        }

        if (doShift)
        {
            x = IntensityTransforms.Shift(x, shift);
        }

        if (doGamma)
        {
            x = IntensityTransforms.Gamma(x, gamma);
        }

        if (doContrast)
        {
            x = IntensityTransforms.Contrast(x, contrast);
        }

        if (doBlur)
        {
            x = IntensityTransforms.Blur(x, sigma);
        }

        if (doNoise)
        {
            x = IntensityTransforms.Noise(x, noise, generator);
        }

        return x;
    }

    private static double Uniform(Random random, (double Min, double Max) range) => range.Min + (random.NextDouble() * (range.Max - range.Min));

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
