using System.Buffers.Binary;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hermes.Runtime;
using TorchSharp;
using Hermes.IO;
using Hermes.Volumes;

namespace Hermes.Checkpoints;

/// <summary>
/// Reads and writes the <see href="https://github.com/huggingface/safetensors">safetensors</see> format: an 8-byte
/// little-endian header length, a JSON header (<c>dtype</c>, <c>shape</c>, <c>data_offsets</c> per tensor and an
/// optional <c>__metadata__</c> string map) and a raw little-endian data region. Every header field is validated
/// against the file size before anything is allocated; problems raise <see cref="CheckpointFormatException"/>.
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest JSON header accepted (100 MB, as in the reference implementation).</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Reads every tensor of a safetensors file onto the CPU, preserving its dtype (F64, F32, F16, BF16, I64, I32, I16,
    /// I8, U8, BOOL), in the order of the file's header.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors by name. The caller owns (and should dispose) them.</returns>
    /// <exception cref="CheckpointFormatException">The file is malformed, truncated or inconsistent.</exception>
    public static IReadOnlyDictionary<string, torch.Tensor> Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        HermesRuntime.EnsureInitialized();
        using var stream = OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads every tensor of a safetensors stream (seekable, positioned at the start of the file).</summary>
    /// <param name="stream">The stream; its length bounds every declared size.</param>
    /// <param name="sourceName">A name for messages (usually the file path).</param>
    /// <returns>The tensors by name, in header order.</returns>
    /// <exception cref="CheckpointFormatException">The content is malformed, truncated or inconsistent.</exception>
    public static IReadOnlyDictionary<string, torch.Tensor> Load(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        HermesRuntime.EnsureInitialized();
        var header = ReadHeader(stream, sourceName);
        var result = new Dictionary<string, torch.Tensor>(header.Entries.Count, StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
            {
                var tensor = torch.empty(entry.Shape.ToArray(), entry.ScalarType, device: torch.CPU);
                result.Add(entry.Key, tensor);
                stream.Seek(header.DataStart + entry.Begin, SeekOrigin.Begin);
                TensorData.ReadInto(stream, tensor, sourceName, entry.Key);
            }
        }
        catch
        {
            foreach (var t in result.Values)
            {
                t.Dispose();
            }

            throw;
        }

        return result;
    }

    /// <summary>Reads the <c>__metadata__</c> string map of a safetensors file (empty when there is none).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The metadata entries.</returns>
    /// <exception cref="CheckpointFormatException">The header is malformed or inconsistent.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = OpenRead(path);
        return ReadHeader(stream, path).Metadata;
    }

    /// <summary>Reads and validates only the header: names, dtypes and shapes, without tensor data.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensor descriptions, in header order.</returns>
    /// <exception cref="CheckpointFormatException">The header is malformed or inconsistent.</exception>
    public static IReadOnlyList<SafeTensorsEntry> ReadEntries(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = OpenRead(path);
        return ReadHeader(stream, path).Entries;
    }

    /// <summary>
    /// Writes tensors to a safetensors file atomically (temporary file in the same folder, then moved into place).
    /// Tensors may live on any device; they are written contiguous and little-endian, in the dictionary's order.
    /// </summary>
    /// <param name="path">The destination file.</param>
    /// <param name="tensors">The tensors by name.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> string map.</param>
    /// <exception cref="ArgumentException">A name is empty or reserved, or a dtype is not supported by safetensors here.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, torch.Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream => Save(stream, tensors, metadata));
    }

    /// <summary>Writes tensors in the safetensors format to a stream.</summary>
    /// <param name="stream">The destination stream.</param>
    /// <param name="tensors">The tensors by name.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> string map.</param>
    /// <exception cref="ArgumentException">A name is empty or reserved, or a dtype is not supported by safetensors here.</exception>
    public static void Save(Stream stream, IReadOnlyDictionary<string, torch.Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        HermesRuntime.EnsureInitialized();

        var json = new MemoryStream();
        // Names are written unescaped where JSON allows it (as Python writers do), e.g. non-ASCII letters.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata)
                {
                    writer.WriteString(k, v);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (string.IsNullOrEmpty(name) || name == MetadataKey)
                {
                    throw new ArgumentException($"Tensor name '{name}' is empty or reserved.", nameof(tensors));
                }

                ArgumentNullException.ThrowIfNull(tensor, $"{nameof(tensors)}[{name}]");
                if (!SafeTensorsDType.TryGetName(tensor.dtype, out var dtypeName, out var size))
                {
                    throw new ArgumentException(
                        $"Tensor '{name}' has dtype {tensor.dtype}; safetensors supports {SafeTensorsDType.KnownNames} here.", nameof(tensors));
                }

                var bytes = checked(tensor.numel() * size);
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtypeName);
                writer.WriteStartArray("shape");
                foreach (var d in tensor.shape)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += bytes;
            }

            writer.WriteEndObject();
        }

        // Pad the header with spaces so the data region starts 8-byte aligned, as the reference writer does.
        var padding = (int)((8 - (json.Length % 8)) % 8);
        for (var i = 0; i < padding; i++)
        {
            json.WriteByte((byte)' ');
        }

        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)json.Length);
        stream.Write(prefix);
        json.Position = 0;
        json.CopyTo(stream);
        foreach (var tensor in tensors.Values)
        {
            TensorBytes.Write(stream, tensor);
        }
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"Safetensors file not found: '{path}'.", path, e);
        }
    }

    internal sealed record Header(IReadOnlyList<SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);

    internal static Header ReadHeader(Stream stream, string? file)
    {
        var length = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (length < 8)
        {
            throw new CheckpointFormatException(file, null, "header length", $"file of {length} bytes", "at least 8 bytes (a safetensors file)");
        }

        stream.Seek(0, SeekOrigin.Begin);
        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(length - 8) || headerLength > MaxHeaderBytes)
        {
            throw new CheckpointFormatException(file, null, "header length", headerLength.ToString(CultureInfo.InvariantCulture),
                $"at most min({length - 8} bytes left in the file, {MaxHeaderBytes} bytes)");
        }

        if (headerLength < 2)
        {
            throw new CheckpointFormatException(file, null, "header length", headerLength.ToString(CultureInfo.InvariantCulture), "a JSON object (at least 2 bytes)");
        }

        var headerBytes = new byte[(int)headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = length - dataStart;

        if (!System.Text.Unicode.Utf8.IsValid(headerBytes))
        {
            throw new CheckpointFormatException(file, null, "header", "invalid UTF-8 bytes", "a UTF-8 JSON object");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(file, null, "header", e.Message, "a well-formed UTF-8 JSON object", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(file, null, "header", doc.RootElement.ValueKind.ToString(), "a JSON object");
            }

            var entries = new List<SafeTensorsEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new CheckpointFormatException(file, property.Name, null, "a second entry", "unique tensor names");
                }

                if (property.Name == MetadataKey)
                {
                    metadata = ParseMetadata(file, property.Value);
                    continue;
                }

                entries.Add(ParseEntry(file, property.Name, property.Value, dataLength));
            }

            CheckOverlaps(file, entries);
            return new Header(entries, metadata, dataStart);
        }
    }

    private static Dictionary<string, string> ParseMetadata(string? file, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(file, MetadataKey, null, value.ValueKind.ToString(), "a JSON object of strings");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointFormatException(file, MetadataKey, p.Name, p.Value.ValueKind.ToString(), "a string value");
            }

            if (!result.TryAdd(p.Name, p.Value.GetString()!))
            {
                throw new CheckpointFormatException(file, MetadataKey, p.Name, "a second entry", "unique metadata keys");
            }
        }

        return result;
    }

    private static SafeTensorsEntry ParseEntry(string? file, string key, JsonElement value, long dataLength)
    {
        if (key.Length == 0)
        {
            throw new CheckpointFormatException(file, key, null, "an empty name", "a non-empty tensor name");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(file, key, null, value.ValueKind.ToString(), "a JSON object with dtype, shape and data_offsets");
        }

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new CheckpointFormatException(file, key, "dtype", Describe(value, "dtype"), "a dtype string");
        }

        var dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDType.TryParse(dtypeName, out var type, out var elementSize))
        {
            throw new CheckpointFormatException(file, key, "dtype", dtypeName, $"one of {SafeTensorsDType.KnownNames}");
        }

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointFormatException(file, key, "shape", Describe(value, "shape"), "an array of non-negative integers");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        long bytes = elementSize;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0)
            {
                throw new CheckpointFormatException(file, key, "shape", shapeElement.GetRawText(), "an array of non-negative integers");
            }

            shape[i++] = dim;
            bytes = dim == 0 || bytes == 0 ? 0 : (bytes > long.MaxValue / dim ? -1 : bytes * dim);
            if (bytes < 0 || bytes > dataLength)
            {
                throw new CheckpointFormatException(file, key, "shape", shapeElement.GetRawText(),
                    $"a tensor no larger than the {dataLength}-byte data region");
            }
        }

        if (!value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw new CheckpointFormatException(file, key, "data_offsets", Describe(value, "data_offsets"), "an array [begin, end]");
        }

        var begin = ReadOffset(file, key, offsetsElement, 0);
        var end = ReadOffset(file, key, offsetsElement, 1);
        if (begin > end || end > dataLength)
        {
            throw new CheckpointFormatException(file, key, "data_offsets", offsetsElement.GetRawText(),
                $"0 <= begin <= end <= {dataLength} (the data region's length)");
        }

        if (end - begin != bytes)
        {
            throw new CheckpointFormatException(file, key, "data_offsets", offsetsElement.GetRawText(),
                $"end - begin = {bytes} bytes ({dtypeName} × shape [{string.Join(", ", shape)}])");
        }

        foreach (var p in value.EnumerateObject())
        {
            if (p.Name is not ("dtype" or "shape" or "data_offsets"))
            {
                throw new CheckpointFormatException(file, key, p.Name, "an unknown field", "only dtype, shape and data_offsets");
            }
        }

        return new SafeTensorsEntry(key, type, dtypeName, shape, begin, end);
    }

    private static long ReadOffset(string? file, string key, JsonElement offsets, int index)
    {
        var e = offsets[index];
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v) || v < 0)
        {
            throw new CheckpointFormatException(file, key, "data_offsets", offsets.GetRawText(), "two non-negative integers");
        }

        return v;
    }

    private static string Describe(JsonElement obj, string field) =>
        obj.TryGetProperty(field, out var e) ? e.GetRawText() : "nothing";

    private static void CheckOverlaps(string? file, List<SafeTensorsEntry> entries)
    {
        var sorted = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Begin < sorted[i - 1].End)
            {
                throw new CheckpointFormatException(file, sorted[i].Key, "data_offsets",
                    $"[{sorted[i].Begin}, {sorted[i].End}] overlapping '{sorted[i - 1].Key}' [{sorted[i - 1].Begin}, {sorted[i - 1].End}]",
                    "non-overlapping tensor data");
            }
        }
    }
}
