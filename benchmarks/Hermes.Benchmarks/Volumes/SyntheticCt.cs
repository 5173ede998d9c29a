using Hermes.IO;
using Hermes.Runtime;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Volumes;

/// <summary>A synthesised 512×512×300 int16 CT-like volume (smooth anatomy-like field plus noise, air outside a body ellipse), 0.8 mm.</summary>
public static class SyntheticCt
{
    /// <summary>Creates the volume (deterministic).</summary>
    public static Volume Create(int size = 512, int slices = 300)
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var z = torch.linspace(-1, 1, slices).reshape(slices, 1, 1);
        var y = torch.linspace(-1, 1, size).reshape(1, size, 1);
        var x = torch.linspace(-1, 1, size).reshape(1, 1, size);
        var body = x.square().div(0.8).add(y.square().div(0.5)).lt(1);
        var tissue = torch.sin(x.mul(9)).mul(torch.cos(y.mul(7))).mul(torch.sin(z.mul(5))).mul(60).add(40);
        var noise = torch.randn([slices, size, size], generator: torch.random.manual_seed(42)).mul(15);
        var hu = torch.where(body, tissue.add(noise), torch.full([1], -1000f)).round().to(ScalarType.Int16).unsqueeze(0);
        var geometry = VolumeGeometry.Create([size, size, slices], [0.8, 0.8, 0.8], [-204.4, -204.4, -120.0]);
        return new Volume(hu.MoveToOuterDisposeScope(), geometry);
    }

    /// <summary>Writes the volume to a temporary <c>.nii.gz</c> and returns its path.</summary>
    public static string WriteTemporaryNiftiGz()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hermes-bench-{Guid.NewGuid():N}.nii.gz");
        using var v = Create();
        VolumeIO.Write(v, path);
        return path;
    }
}
