using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Runtime;
using Hermes.Volumes;
using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>
/// A preprocessed training case in the cache, read through a memory-mapped file: a float32 image <c>[C, D, H, W]</c>, a
/// uint8 local label map <c>[D, H, W]</c> (the dataset's own label values) and, per present label value, a sample of voxel
/// positions for foreground sampling. Patches are copied straight from the mapping; the file is never loaded whole.
/// </summary>
/// <remarks>
/// Thread-safe: reads may run on any number of threads at once, and <see cref="Dispose"/> may be called while they run.
/// Every read holds a reference on the mapped view for its duration, so the file is unmapped only after the last read in
/// progress has finished; a read that starts after <see cref="Dispose"/> throws <see cref="ObjectDisposedException"/>
/// naming the file.
/// </remarks>
public sealed unsafe class PreprocessedCase : IDisposable
{
    internal static readonly byte[] Magic = "HRMSPC01"u8.ToArray();
    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly SafeMemoryMappedViewHandle viewHandle;
    private readonly byte* basePointer;
    private readonly long imageOffset;
    private readonly long labelOffset;
    private readonly Dictionary<int, int[]> locations = [];
    private int disposed;

    private PreprocessedCase(string path)
    {
        Path = path;
        var length = new FileInfo(path).Length;
        file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            viewHandle = view.SafeMemoryMappedViewHandle;
            byte* p = null;
            viewHandle.AcquirePointer(ref p);
            basePointer = p + view.PointerOffset;
            var span = new ReadOnlySpan<byte>(basePointer, (int)Math.Min(length, int.MaxValue));
            if (length < 12 || !span[..8].SequenceEqual(Magic))
            {
                throw new InvalidDataException($"'{path}' is not a Hermes preprocessed case (bad magic).");
            }

            var headerLength = BitConverter.ToInt32(span.Slice(8, 4));
            var header = JsonNode.Parse(Encoding.UTF8.GetString(span.Slice(12, headerLength)))!.AsObject();
            Dataset = header["dataset"]!.GetValue<string>();
            CaseId = header["caseId"]!.GetValue<string>();
            Modality = header["modality"]!.GetValue<string>();
            Fingerprint = header["fingerprint"]!.GetValue<string>();
            Shape = [.. header["shape"]!.AsArray().Select(n => n!.GetValue<int>())];
            var affine = new double[4, 4];
            var flat = header["affine"]!.AsArray();
            for (var i = 0; i < 16; i++)
            {
                affine[i / 4, i % 4] = flat[i]!.GetValue<double>();
            }

            Geometry = new VolumeGeometry(Shape[3], Shape[2], Shape[1], affine);
            imageOffset = header["imageOffset"]!.GetValue<long>();
            labelOffset = header["labelOffset"]!.GetValue<long>();
            var counts = new Dictionary<int, long>();
            foreach (var entry in header["labels"]!.AsArray())
            {
                var value = entry!["value"]!.GetValue<int>();
                var n = entry["locations"]!.GetValue<int>();
                var offset = entry["offset"]!.GetValue<long>();
                counts[value] = entry["voxels"]!.GetValue<long>();
                locations[value] = new ReadOnlySpan<int>(basePointer + offset, n * 3).ToArray();
            }

            VoxelCounts = counts;
            var end = labelOffset + ((long)Shape[1] * Shape[2] * Shape[3]);
            if (imageOffset + ((long)Shape[0] * Shape[1] * Shape[2] * Shape[3] * 4) > labelOffset || end > length)
            {
                throw new InvalidDataException($"'{path}' is truncated: {length} bytes, data ends at {end}.");
            }
        }
        catch (Exception ex) when (ex is not InvalidDataException)
        {
            Dispose();
            throw new InvalidDataException($"'{path}' is not a valid Hermes preprocessed case: {ex.Message}", ex);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>The dataset key.</summary>
    public string Dataset { get; }

    /// <summary>The case id.</summary>
    public string CaseId { get; }

    /// <summary>The case's modality name.</summary>
    public string Modality { get; }

    /// <summary>The fingerprint of the settings and source files this case was built from.</summary>
    public string Fingerprint { get; }

    /// <summary>Image shape <c>[C, D, H, W]</c>.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The preprocessed grid (RAS+ affine, target spacing).</summary>
    public VolumeGeometry Geometry { get; }

    /// <summary>Label values present in the case (declared, non-zero), with their voxel counts.</summary>
    public IReadOnlyDictionary<int, long> VoxelCounts { get; }

    /// <summary>Opens a cache file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The mapped case.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid preprocessed case.</exception>
    public static PreprocessedCase Open(string path) => new(System.IO.Path.GetFullPath(path));

    /// <summary>The stored foreground positions of a label value, flattened <c>(d, h, w)</c> triplets.</summary>
    /// <param name="value">A present label value.</param>
    /// <returns>The positions.</returns>
    public ReadOnlySpan<int> Locations(int value) => locations.TryGetValue(value, out var l) ? l : [];

    /// <summary>Reads the whole image <c>[C, D, H, W]</c> into a new tensor.</summary>
    /// <returns>The image.</returns>
    /// <exception cref="ObjectDisposedException">The case was disposed.</exception>
    public Tensor ReadImage()
    {
        HermesRuntime.EnsureInitialized();
        ThrowIfDisposed();
        var size = new[] { Shape[1], Shape[2], Shape[3] };
        var buffer = new float[(long)Shape[0] * Shape[1] * Shape[2] * Shape[3]];
        var labelBuffer = new byte[(long)Shape[1] * Shape[2] * Shape[3]];
        ReadPatch([0, 0, 0], size, buffer, labelBuffer);
        return tensor(buffer).reshape(Shape[0], Shape[1], Shape[2], Shape[3]);
    }

    /// <summary>Reads the whole local label map <c>[D, H, W]</c> (uint8) into a new tensor.</summary>
    /// <returns>The label map.</returns>
    /// <exception cref="ObjectDisposedException">The case was disposed.</exception>
    public Tensor ReadLabel()
    {
        HermesRuntime.EnsureInitialized();
        byte[] bytes;
        var handle = EnterRead();
        try
        {
            bytes = new ReadOnlySpan<byte>(basePointer + labelOffset, Shape[1] * Shape[2] * Shape[3]).ToArray();
        }
        finally
        {
            handle.DangerousRelease();
        }

        return tensor(bytes).reshape(Shape[1], Shape[2], Shape[3]);
    }

    /// <summary>
    /// Copies a box of the image and label into caller buffers. Parts of the box outside the volume are filled with 0
    /// (the mean intensity after z-scoring; background label).
    /// </summary>
    /// <param name="start">Box start <c>(d, h, w)</c>; may be negative or run past the end.</param>
    /// <param name="size">Box size <c>(d, h, w)</c>.</param>
    /// <param name="image">Receives <c>C × d × h × w</c> floats.</param>
    /// <param name="label">Receives <c>d × h × w</c> bytes.</param>
    /// <exception cref="ArgumentException">A buffer is too small.</exception>
    /// <exception cref="ObjectDisposedException">The case was disposed.</exception>
    public void ReadPatch(ReadOnlySpan<int> start, ReadOnlySpan<int> size, Span<float> image, Span<byte> label)
    {
        ThrowIfDisposed();
        int c = Shape[0], d = Shape[1], h = Shape[2], w = Shape[3];
        int pd = size[0], ph = size[1], pw = size[2];
        var patchVoxels = pd * ph * pw;
        if (image.Length < c * patchVoxels || label.Length < patchVoxels)
        {
            throw new ArgumentException($"Buffers too small for a {pd}×{ph}×{pw} patch of {c} channel(s).");
        }

        image[..(c * patchVoxels)].Clear();
        label[..patchVoxels].Clear();
        int w0 = Math.Max(0, start[2]), w1 = Math.Min(w, start[2] + pw);
        if (w1 <= w0)
        {
            return;
        }

        var imageBase = (float*)(basePointer + imageOffset);
        var labelBase = basePointer + labelOffset;
        var run = w1 - w0;
        var handle = EnterRead();
        try
        {
            for (var z = Math.Max(0, start[0]); z < Math.Min(d, start[0] + pd); z++)
            {
                for (var y = Math.Max(0, start[1]); y < Math.Min(h, start[1] + ph); y++)
                {
                    var src = ((long)z * h + y) * w + w0;
                    var dst = (((z - start[0]) * ph) + (y - start[1])) * pw + (w0 - start[2]);
                    new ReadOnlySpan<byte>(labelBase + src, run).CopyTo(label.Slice(dst, run));
                    for (var ch = 0; ch < c; ch++)
                    {
                        new ReadOnlySpan<float>(imageBase + src + ((long)ch * d * h * w), run).CopyTo(image.Slice((ch * patchVoxels) + dst, run));
                    }
                }
            }
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Takes a reference on the mapped view for one read (release it with <see cref="SafeHandle.DangerousRelease"/>): while
    /// any is held the view stays mapped, even if <see cref="Dispose"/> runs meanwhile.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The case was disposed before the read started.</exception>
    private SafeMemoryMappedViewHandle EnterRead()
    {
        ThrowIfDisposed();
        var handle = viewHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            // Dispose closed the view between the check above and here.
        }

        if (!added || Volatile.Read(ref disposed) != 0)
        {
            if (added)
            {
                handle.DangerousRelease();
            }

            throw Disposed();
        }

        return handle;
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            throw Disposed();
        }
    }

    private ObjectDisposedException Disposed() =>
        new(nameof(PreprocessedCase), $"The preprocessed case '{Path}' ({Dataset}/{CaseId}) was disposed; it cannot be read any more. Dispose cases only after every reader (batch source, prefetcher) has stopped.");

    /// <summary>
    /// Unmaps the file once the reads in progress on other threads have finished (they complete normally); reads that
    /// start afterwards throw <see cref="ObjectDisposedException"/>. Idempotent and thread-safe.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        if (basePointer != null)
        {
            viewHandle.ReleasePointer();
        }

        // Closing the handle unmaps the view when its last reference is released: now, or when the last read ends.
        view?.Dispose();
        file?.Dispose();
    }
}
