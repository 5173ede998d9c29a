using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Volumes;

/// <summary>
/// A medical volume: voxel data as a tensor <c>[C, D, H, W]</c> (C channels; <c>D = k</c>, <c>H = j</c>, <c>W = i</c>, see
/// <see cref="VolumeGeometry"/> for the axis convention) and the geometry of its grid. Owns its tensor: dispose the
/// volume (or take the tensor with <see cref="DetachData"/>).
/// </summary>
public sealed class Volume : IDisposable
{
    private Tensor? data;

    /// <summary>Wraps a tensor as a volume (no copy).</summary>
    /// <param name="data">Voxel data <c>[C, D, H, W]</c> or <c>[D, H, W]</c> (one channel is added as a view). The volume takes ownership.</param>
    /// <param name="geometry">The grid; its shape must equal <c>(W, H, D)</c>.</param>
    /// <param name="metadata">Where the data came from; <see langword="null"/> for an in-memory volume.</param>
    /// <exception cref="ArgumentException">The tensor's shape does not match the geometry.</exception>
    public Volume(Tensor data, VolumeGeometry geometry, VolumeMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(geometry);
        HermesRuntime.EnsureInitialized();
        if (data.dim() == 3)
        {
            var d = data.unsqueeze(0);
            data.Dispose();
            data = d;
        }

        if (data.dim() != 4)
        {
            throw new ArgumentException($"Volume data must be [C, D, H, W] or [D, H, W]; got [{string.Join(", ", data.shape)}].", nameof(data));
        }

        if (data.shape[3] != geometry.Shape[0] || data.shape[2] != geometry.Shape[1] || data.shape[1] != geometry.Shape[2])
        {
            throw new ArgumentException($"Tensor [C, D, H, W] = [{string.Join(", ", data.shape)}] does not match the geometry shape (i, j, k) = ({string.Join(", ", geometry.Shape)}): expected W = i, H = j, D = k.", nameof(data));
        }

        _ = VoxelTypeInfo.FromScalarType(data.dtype);
        this.data = data;
        Geometry = geometry;
        Metadata = metadata ?? new VolumeMetadata { Format = "memory", DiskType = VoxelTypeInfo.FromScalarType(data.dtype) };
    }

    /// <summary>Voxel data <c>[C, D, H, W]</c>, owned by this volume.</summary>
    /// <exception cref="ObjectDisposedException">The volume was disposed or its data detached.</exception>
    public Tensor Data => data ?? throw new ObjectDisposedException(nameof(Volume));

    /// <summary>The voxel grid.</summary>
    public VolumeGeometry Geometry { get; }

    /// <summary>Where the volume came from: format, on-disk type, intensity scaling.</summary>
    public VolumeMetadata Metadata { get; }

    /// <summary>Number of channels (4th file dimension and beyond; 1 for a 3D volume).</summary>
    public int Channels => (int)Data.shape[0];

    /// <summary>The in-memory voxel type (after scaling).</summary>
    public VoxelType VoxelType => VoxelTypeInfo.FromScalarType(Data.dtype);

    /// <summary>Creates a volume from a copy of a row-major array <c>[D, H, W]</c> (i fastest).</summary>
    /// <typeparam name="T">byte, sbyte, short, int, long, float or double.</typeparam>
    /// <param name="voxels">Voxels, <c>i</c> fastest, then <c>j</c>, then <c>k</c>, then channel.</param>
    /// <param name="geometry">The grid.</param>
    /// <param name="channels">Number of channels.</param>
    /// <returns>The volume.</returns>
    public static Volume FromArray<T>(T[] voxels, VolumeGeometry geometry, int channels = 1)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(voxels);
        ArgumentNullException.ThrowIfNull(geometry);
        HermesRuntime.EnsureInitialized();
        using var flat = voxels switch
        {
            byte[] a => torch.tensor(a),
            sbyte[] a => torch.tensor(a),
            short[] a => torch.tensor(a),
            int[] a => torch.tensor(a),
            long[] a => torch.tensor(a),
            float[] a => torch.tensor(a),
            double[] a => torch.tensor(a),
            _ => throw new NotSupportedException($"Voxel arrays of {typeof(T).Name} are not supported."),
        };
        var t = flat.reshape(channels, geometry.Shape[2], geometry.Shape[1], geometry.Shape[0]);
        return new Volume(t, geometry);
    }

    /// <summary>A new volume on the same grid with other data (e.g. a prediction); this volume is unchanged.</summary>
    /// <param name="newData">Data <c>[C, D, H, W]</c>; the new volume owns it.</param>
    /// <returns>The new volume.</returns>
    public Volume WithData(Tensor newData) => new(newData, Geometry, Metadata);

    /// <summary>Gives the tensor to the caller (no copy); the volume can no longer be used.</summary>
    /// <returns>The data <c>[C, D, H, W]</c>, now owned by the caller.</returns>
    public Tensor DetachData()
    {
        var d = Data;
        data = null;
        return d;
    }

    /// <summary>The voxel value at <c>(i, j, k)</c> of a channel, as double.</summary>
    /// <param name="i">Index along i (W).</param>
    /// <param name="j">Index along j (H).</param>
    /// <param name="k">Index along k (D).</param>
    /// <param name="channel">Channel.</param>
    /// <returns>The value.</returns>
    public double this[int i, int j, int k, int channel = 0]
    {
        get
        {
            using var v = Data[channel, k, j, i];
            return v.ToDouble();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        data?.Dispose();
        data = null;
    }
}
