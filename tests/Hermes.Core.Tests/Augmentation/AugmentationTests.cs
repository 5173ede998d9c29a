using Hermes.Testing;
using Hermes.Augmentation;
using Hermes.Core.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Augmentation;

public sealed class AugmentationTests
{
    private static readonly AugmentationOptions Nothing = new() { SpatialProbability = 0, MirrorProbability = 0, IntensityProbabilityOverride = 0 };
    private static readonly AugmentationOptions Everything = new() { SpatialProbability = 1, MirrorProbability = 0.5, IntensityProbabilityOverride = 1 };

    [Fact]
    public void IdentityTransformIsExact()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(11, CPU);
        var image = randn([2, 1, 7, 8, 9], generator: gen);
        var label = randint(0, 4, [2, 7, 8, 9], generator: gen).to(ScalarType.Byte);
        var (outImage, outLabel) = new BatchAugmenter(Nothing).Apply(image, label, [7, 8, 9], [0.1, 0.2], seed: 5);
        Assert.True(TensorEquality.Same(image, outImage));
        Assert.True(TensorEquality.Same(label, outLabel));

        var identity = SpatialTransform.Matrix([0, 0, 0], [1, 1, 1]);
        using var warped = SpatialTransform.Warp(image, identity, [7, 8, 9], nearest: false);
        Assert.True(TensorEquality.Same(image, warped));
    }

    [Fact]
    public void Rotation90LandsWhereExpected()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(12, CPU);
        var image = randn([1, 1, 9, 9, 9], dtype: ScalarType.Float64, generator: gen);
        var label = randint(0, 5, [1, 1, 9, 9, 9], generator: gen).to(ScalarType.Float32);

        // About z (the W–H plane): output (x, y) samples input (−y, x) → torch.rot90 over (H, W).
        var rz = SpatialTransform.Matrix([0, 0, 90], [1, 1, 1]);
        var warped = SpatialTransform.Warp(image, rz, [9, 9, 9], nearest: false);
        var expected = image.rot90(1, (3, 4));
        Assert.True((warped - expected).abs().max().ToDouble() < 1e-9, "rotation about z");
        Assert.True(TensorEquality.Same(label.rot90(1, (3, 4)), SpatialTransform.Warp(label, rz, [9, 9, 9], nearest: true)));

        // About x (the H–D plane): output (y, z) samples input (−z, y) → torch.rot90 over (D, H).
        var rx = SpatialTransform.Matrix([90, 0, 0], [1, 1, 1]);
        Assert.True((SpatialTransform.Warp(image, rx, [9, 9, 9], nearest: false) - image.rot90(1, (2, 3))).abs().max().ToDouble() < 1e-9, "rotation about x");
        Assert.True(TensorEquality.Same(label.rot90(1, (2, 3)), SpatialTransform.Warp(label, rx, [9, 9, 9], nearest: true)));

        // A single voxel, by hand: input (d, h, w) = (4, 4, 7), i.e. x = +3 from the centre, goes to y = 4 − 3 = 1 under R_z(90°).
        var dot = zeros([1, 1, 9, 9, 9], dtype: ScalarType.Float64);
        dot[0, 0, 4, 4, 7] = tensor(1.0, dtype: ScalarType.Float64);
        var moved = SpatialTransform.Warp(dot, rz, [9, 9, 9], nearest: false);
        Assert.Equal(1.0, moved[0, 0, 4, 1, 4].ToDouble(), 9);
        Assert.Equal(1.0, moved.sum().ToDouble(), 9);

        // Output smaller than input: the centre crop of the rotated volume.
        var cropped = SpatialTransform.Warp(image, rz, [5, 5, 5], nearest: false);
        Assert.True((cropped - expected[.., .., TensorIndex.Slice(2, 7), TensorIndex.Slice(2, 7), TensorIndex.Slice(2, 7)]).abs().max().ToDouble() < 1e-9, "centre crop");
    }

    [Fact]
    public void LabelsStayIntegral()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(13, CPU);
        var values = tensor(new byte[] { 0, 3, 7 });
        var label = values[randint(0, 3, [2, 20, 20, 20], generator: gen)];
        var image = label.to(ScalarType.Float32) + randn([2, 1, 20, 20, 20], generator: gen).squeeze(1);
        var augmenter = new BatchAugmenter(Everything);
        for (ulong seed = 0; seed < 4; seed++)
        {
            var (outImage, outLabel) = augmenter.Apply(image.unsqueeze(1), label, [14, 14, 14], [1, 1], seed);
            Assert.Equal(ScalarType.Byte, outLabel.dtype);
            Assert.Equal([2L, 14, 14, 14], outLabel.shape);
            Assert.Equal([2L, 1, 14, 14, 14], outImage.shape);
            var present = outLabel.unique().Item1.data<byte>().ToArray();
            Assert.All(present, v => Assert.Contains(v, new byte[] { 0, 3, 7 }));
            Assert.True(outImage.isfinite().all().ToBoolean());
        }
    }

    [Fact]
    public void AugmentationIsDeterministicUnderASeed()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(14, CPU);
        var image = randn([3, 1, 16, 16, 16], generator: gen);
        var label = randint(0, 3, [3, 16, 16, 16], generator: gen).to(ScalarType.Byte);
        var augmenter = new BatchAugmenter(Everything);
        var (a, la) = augmenter.Apply(image, label, [12, 12, 12], [1, 1, 1], seed: 77);
        var (b, lb) = augmenter.Apply(image, label, [12, 12, 12], [1, 1, 1], seed: 77);
        var (c, _) = augmenter.Apply(image, label, [12, 12, 12], [1, 1, 1], seed: 78);
        Assert.True(TensorEquality.Same(a, b));
        Assert.True(TensorEquality.Same(la, lb));
        Assert.False(TensorEquality.Same(a, c));
    }

    [Fact]
    public void GammaOfAConstantCropIsUnchangedAndFinite()
    {
        using var scope = NewDisposeScope();
        var constant = full([1, 6, 6, 6], 2.5f);
        var result = IntensityTransforms.Gamma(constant, 1.3);
        Assert.True(TensorEquality.Same(constant, result));

        // Non-constant: mean and standard deviation are restored.
        var x = randn([1, 8, 8, 8], dtype: ScalarType.Float64, generator: new Generator(3, CPU));
        var g = IntensityTransforms.Gamma(x, 1.4);
        Assert.Equal(x.mean().ToDouble(), g.mean().ToDouble(), 9);
        Assert.Equal(x.std(unbiased: false).ToDouble(), g.std(unbiased: false).ToDouble(), 9);
        Assert.False(TensorEquality.Same(x, g));
    }

    [Fact]
    public void SeparableBlurEqualsTheFull3DKernel()
    {
        using var scope = NewDisposeScope();
        var x = randn([1, 9, 10, 11], dtype: ScalarType.Float64, generator: new Generator(4, CPU));
        const double sigma = 0.8;
        var radius = (int)Math.Ceiling(3 * sigma);
        var k1 = Enumerable.Range(-radius, (2 * radius) + 1).Select(i => Math.Exp(-(i * i) / (2 * sigma * sigma))).ToArray();
        var k = tensor(k1, dtype: ScalarType.Float64);
        k /= k.sum();
        var full3d = (k.view(-1, 1, 1) * k.view(1, -1, 1) * k.view(1, 1, -1)).view(1, 1, k1.Length, k1.Length, k1.Length);
        var expected = nn.functional.conv3d(x.unsqueeze(0), full3d, padding: [radius, radius, radius]).squeeze(0);
        var actual = IntensityTransforms.Blur(x, sigma);
        Assert.True((expected - actual).abs().max().ToDouble() < 1e-12);
    }

    [Fact]
    public void IntensityTransformsFollowTheirFormulas()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -2.0, 0.0, 1.0, 5.0 }, dtype: ScalarType.Float64).view(1, 1, 1, 4);
        Assert.Equal(new[] { -2.6, 0, 1.3, 6.5 }, IntensityTransforms.Brightness(x, 1.3).data<double>().ToArray().Select(v => Math.Round(v, 12)));
        Assert.Equal(new[] { -1.9, 0.1, 1.1, 5.1 }, IntensityTransforms.Shift(x, 0.1).data<double>().ToArray().Select(v => Math.Round(v, 12)));
        // Mean 1; contrast 2 → −5, −1, 1, 9, clipped to [−2, 5].
        Assert.Equal(new[] { -2.0, -1, 1, 5 }, IntensityTransforms.Contrast(x, 2).data<double>().ToArray());
        var noisy = IntensityTransforms.Noise(zeros([1, 20, 20, 20], dtype: ScalarType.Float64), 0.05, new Generator(1, CPU));
        Assert.InRange(noisy.std().ToDouble(), 0.045, 0.055);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new AugmentationOptions { SpatialProbability = 2 }.Validate());
        Assert.Throws<ArgumentException>(() => new AugmentationOptions { Scale = (0, 1) }.Validate());
        Assert.Throws<ArgumentException>(() => new AugmentationOptions { Gamma = (1.5, 0.7) }.Validate());
        Assert.Throws<ArgumentException>(() => new AugmentationOptions { MaxNoiseStd = -1 }.Validate());
    }
}
