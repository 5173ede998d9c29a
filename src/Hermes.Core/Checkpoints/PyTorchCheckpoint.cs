using Hermes.Runtime;
using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>
/// Reads PyTorch <c>torch.save</c> files (the zip format of PyTorch ≥ 1.6, <c>.pt</c>/<c>.pth</c>) without executing
/// anything from them: the pickle is interpreted by a restricted reader that only accepts torch's tensor-rebuild
/// functions, typed storages and <c>collections.OrderedDict</c>, and rejects any other global by name.
/// </summary>
/// <remarks>
/// The object graph uses: <see cref="OrderedDictionary{TKey, TValue}"/> (<c>OrderedDictionary&lt;object, object?&gt;</c>)
/// for dicts, <see cref="List{T}"/> of <see cref="object"/> for lists and sets, <c>object?[]</c> for tuples,
/// <see cref="long"/> (or <see cref="System.Numerics.BigInteger"/>) for integers, <see cref="double"/>, <see cref="bool"/>,
/// <see cref="string"/>, <c>byte[]</c>, <see langword="null"/>, and CPU <see cref="torch.Tensor"/>s rebuilt with their
/// storage offset, size and stride (views sharing a storage share memory, as in PyTorch).
/// </remarks>
public static class PyTorchCheckpoint
{
    /// <summary>Entries tried, in order, when a nested training checkpoint is read without naming an entry.</summary>
    public static IReadOnlyList<string> DefaultEntries { get; } = ["ema_model_state_dict", "model_state_dict", "state_dict"];

    /// <summary>Reads the whole object graph of a <c>torch.save</c> zip file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The unpickled graph (see the type's remarks). The caller owns the tensors in it.</returns>
    /// <exception cref="CheckpointFormatException">The file is not a readable torch.save zip archive, is corrupted, or references code.</exception>
    public static object? ReadObject(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ReadObject(stream, path);
    }

    /// <summary>Reads the whole object graph of a <c>torch.save</c> zip archive from a seekable stream (left open).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="sourceName">A name for messages.</param>
    /// <returns>The unpickled graph.</returns>
    /// <exception cref="CheckpointFormatException">The content is not a readable torch.save zip archive, is corrupted, or references code.</exception>
    public static object? ReadObject(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        HermesRuntime.EnsureInitialized();
        return Guard(sourceName, () =>
        {
            using var archive = TorchZipArchive.Open(stream, sourceName);
            return Unpickle(archive, archive.ReadPickle());
        });
    }

    /// <summary>
    /// Reads a state dict (parameter and buffer name → tensor). For a plain state-dict file the file itself is
    /// returned; for a nested training checkpoint, the named <paramref name="entry"/>, or when it is
    /// <see langword="null"/> the first of <see cref="DefaultEntries"/> present (the EMA weights when saved). A
    /// <c>module.</c> prefix carried by every key (DataParallel) is stripped.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="entry">The top-level entry holding the state dict, or <see langword="null"/> to choose automatically.</param>
    /// <returns>The tensors by name, in file order. The caller owns them.</returns>
    /// <exception cref="CheckpointFormatException">The file is unreadable, or holds no such state dict.</exception>
    public static IReadOnlyDictionary<string, torch.Tensor> ReadStateDict(string path, string? entry = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ReadStateDict(stream, path, entry);
    }

    /// <summary>Reads a state dict from a seekable stream (left open); see <see cref="ReadStateDict(string, string?)"/>.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="sourceName">A name for messages.</param>
    /// <param name="entry">The top-level entry holding the state dict, or <see langword="null"/> to choose automatically.</param>
    /// <returns>The tensors by name, in file order.</returns>
    /// <exception cref="CheckpointFormatException">The content is unreadable, or holds no such state dict.</exception>
    public static IReadOnlyDictionary<string, torch.Tensor> ReadStateDict(Stream stream, string? sourceName, string? entry = null)
    {
        var root = ReadObject(stream, sourceName);
        try
        {
            return SelectStateDict(root, sourceName, entry);
        }
        finally
        {
            // Release every tensor of the graph outside the returned state dict (all of them on failure) now.
            DisposeUnselected(root, sourceName, entry);
        }
    }

    internal static IReadOnlyDictionary<string, torch.Tensor> SelectStateDict(object? root, string? file, string? entry)
    {
        if (root is not OrderedDictionary<object, object?> top)
        {
            throw new CheckpointFormatException(file, null, "root object", Kind(root), "a dict (a state dict or a training checkpoint)");
        }

        var selected = Select(top, file, entry, out var name);
        var result = new Dictionary<string, torch.Tensor>(selected.Count, StringComparer.Ordinal);
        var strip = selected.Count > 0 && selected.Keys.All(k => k is string s && s.StartsWith("module.", StringComparison.Ordinal));
        foreach (var (k, v) in selected)
        {
            if (k is not string key || v is not torch.Tensor tensor)
            {
                throw new CheckpointFormatException(file, name is null ? k?.ToString() : $"{name}[{k}]", "value", Kind(v),
                    "string keys mapping to tensors (a state dict)");
            }

            result[strip ? key["module.".Length..] : key] = tensor;
        }

        return result;
    }

    private static OrderedDictionary<object, object?> Select(OrderedDictionary<object, object?> top, string? file, string? entry, out string? name)
    {
        if (entry is not null)
        {
            name = entry;
            return top.TryGetValue(entry, out var value) && value is OrderedDictionary<object, object?> dict
                ? dict
                : throw new CheckpointFormatException(file, entry, "entry", top.ContainsKey(entry) ? Kind(value) : "no such entry",
                    $"a state dict under one of the top-level keys [{TopKeys(top)}]");
        }

        if (top.Count > 0 && top.Values.All(v => v is torch.Tensor))
        {
            name = null;
            return top;
        }

        foreach (var candidate in DefaultEntries)
        {
            if (top.TryGetValue(candidate, out var value) && value is OrderedDictionary<object, object?> dict)
            {
                name = candidate;
                return dict;
            }
        }

        throw new CheckpointFormatException(file, null, "entry", $"top-level keys [{TopKeys(top)}]",
            $"a plain state dict or a checkpoint with one of [{string.Join(", ", DefaultEntries)}]; name the entry explicitly");
    }

    private static void DisposeUnselected(object? root, string? file, string? entry)
    {
        if (root is not OrderedDictionary<object, object?> top)
        {
            return;
        }

        OrderedDictionary<object, object?>? keep = null;
        try
        {
            keep = Select(top, file, entry, out _);
        }
        catch (CheckpointFormatException)
        {
        }

        var kept = keep is null ? [] : new HashSet<torch.Tensor>(keep.Values.OfType<torch.Tensor>(), ReferenceEqualityComparer.Instance);
        foreach (var t in EnumerateTensors(root))
        {
            if (!kept.Contains(t))
            {
                t.Dispose();
            }
        }
    }

    /// <summary>Every tensor reachable in an object graph returned by <see cref="ReadObject(string)"/> (each once).</summary>
    /// <param name="graph">The graph.</param>
    /// <returns>The tensors.</returns>
    public static IEnumerable<torch.Tensor> EnumerateTensors(object? graph)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object?>();
        pending.Push(graph);
        while (pending.Count > 0)
        {
            var item = pending.Pop();
            if (item is null || item is string || !seen.Add(item))
            {
                continue;
            }

            switch (item)
            {
                case torch.Tensor t:
                    yield return t;
                    break;
                case OrderedDictionary<object, object?> d:
                    foreach (var (k, v) in d)
                    {
                        pending.Push(k);
                        pending.Push(v);
                    }

                    break;
                case List<object?> l:
                    l.ForEach(pending.Push);
                    break;
                case object?[] a:
                    Array.ForEach(a, pending.Push);
                    break;
            }
        }
    }

    private static object? Unpickle(TorchZipArchive archive, byte[] pickle)
    {
        var created = new List<torch.Tensor>();
        try
        {
            return archive.Unpickle(pickle, created);
        }
        catch
        {
            foreach (var t in created)
            {
                t.Dispose();
            }

            throw;
        }
    }

    internal static T Guard<T>(string? file, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(file, null, "zip", e.Message, "a readable torch.save zip archive", e);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException(file, null, "zip", e.Message, "a complete torch.save zip archive", e);
        }
    }

    private static string TopKeys(OrderedDictionary<object, object?> top) =>
        string.Join(", ", top.Keys.Take(20).Select(k => k.ToString())) + (top.Count > 20 ? $", … ({top.Count} keys)" : string.Empty);

    private static string Kind(object? value) => value switch
    {
        null => "None",
        torch.Tensor t => $"a tensor [{string.Join(", ", t.shape)}]",
        OrderedDictionary<object, object?> d => $"a dict of {d.Count} entries",
        List<object?> l => $"a list of {l.Count} items",
        object?[] a => $"a tuple of {a.Length} items",
        _ => $"a {value.GetType().Name}",
    };
}
