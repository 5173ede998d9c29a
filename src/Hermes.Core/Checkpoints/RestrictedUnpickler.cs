using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>
/// A pickle interpreter (protocols 2–5) that only builds data: dictionaries, lists, tuples, strings, numbers, bytes and
/// tensors. Globals are resolved against a whitelist of torch rebuild functions, typed storages and
/// <c>collections.OrderedDict</c>; any other global is rejected by name before anything is done with it. Nothing from
/// the file is ever executed. Sizes declared in the stream are checked against the bytes left before allocating, and
/// the stack and memo are capped.
/// </summary>
internal sealed class RestrictedUnpickler
{
    /// <summary>Largest stack (items) accepted.</summary>
    public const int MaxStack = 1 << 22;

    /// <summary>Largest memo (entries) accepted.</summary>
    public const int MaxMemo = 1 << 22;

    private const int MaxGlobalLineBytes = 512;

    private readonly byte[] data;
    private readonly string? file;
    private readonly string record;
    private readonly Func<object?[], TorchStorage> persistentLoad;
    private readonly List<torch.Tensor> created;
    private readonly List<object?> stack = new();
    private readonly List<int> marks = new();
    private readonly Dictionary<long, object?> memo = new();
    private int pos;
    private int opcodeOffset;

    /// <summary>Creates the interpreter.</summary>
    /// <param name="data">The pickle bytes.</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="record">The record (for example <c>archive/data.pkl</c>), for messages.</param>
    /// <param name="persistentLoad">Resolves a persistent id tuple (<c>('storage', type, key, location, numel)</c>) to a storage.</param>
    /// <param name="created">Receives every tensor view created, so the caller can dispose them on failure.</param>
    public RestrictedUnpickler(byte[] data, string? file, string record, Func<object?[], TorchStorage> persistentLoad, List<torch.Tensor> created)
    {
        this.data = data;
        this.file = file;
        this.record = record;
        this.persistentLoad = persistentLoad;
        this.created = created;
    }

    /// <summary>Runs the pickle to its STOP opcode and returns the result.</summary>
    public object? Load()
    {
        while (true)
        {
            opcodeOffset = pos;
            var op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    var proto = ReadByte();
                    if (proto > 5)
                    {
                        throw Fail("protocol", proto.ToString(CultureInfo.InvariantCulture), "pickle protocol 0–5");
                    }

                    break;
                case 0x95: // FRAME
                    var frame = ReadUInt64();
                    if (frame > (ulong)(data.Length - pos))
                    {
                        throw Fail("frame length", frame.ToString(CultureInfo.InvariantCulture), $"at most the {data.Length - pos} bytes left");
                    }

                    break;
                case (byte)'.': // STOP
                    if (stack.Count != 1 || marks.Count != 0)
                    {
                        throw Fail("STOP", $"{stack.Count} stack items and {marks.Count} open marks", "exactly one result and no open mark");
                    }

                    return stack[0];
                case (byte)'(': // MARK
                    if (marks.Count >= MaxStack)
                    {
                        throw Fail("MARK", "too many marks", $"at most {MaxStack}");
                    }

                    marks.Add(stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                case (byte)'N':
                    Push(null);
                    break;
                case 0x88:
                    Push(true);
                    break;
                case 0x89:
                    Push(false);
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case 0x8A: // LONG1
                    Push(ReadLong(ReadByte()));
                    break;
                case 0x8B: // LONG4
                    var n4 = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                    if (n4 < 0)
                    {
                        throw Fail("LONG4 length", n4.ToString(CultureInfo.InvariantCulture), "a non-negative length");
                    }

                    Push(ReadLong(n4));
                    break;
                case (byte)'G': // BINFLOAT (big-endian)
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(ReadUtf8(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case 0x8C: // SHORT_BINUNICODE
                    Push(ReadUtf8(ReadByte()));
                    break;
                case 0x8D: // BINUNICODE8
                    Push(ReadUtf8(BinaryPrimitives.ReadUInt64LittleEndian(Take(8))));
                    break;
                case (byte)'T': // BINSTRING (protocol 1/2 byte string, decoded as Latin-1)
                    var nt = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                    if (nt < 0)
                    {
                        throw Fail("BINSTRING length", nt.ToString(CultureInfo.InvariantCulture), "a non-negative length");
                    }

                    Push(Encoding.Latin1.GetString(TakeLength((ulong)nt)));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(TakeLength(ReadByte())));
                    break;
                case (byte)'B': // BINBYTES
                    Push(TakeLength(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(TakeLength(ReadByte()).ToArray());
                    break;
                case 0x8E: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    Push(TakeLength(BinaryPrimitives.ReadUInt64LittleEndian(Take(8))).ToArray());
                    break;
                case (byte)'}': // EMPTY_DICT
                    Push(new OrderedDictionary<object, object?>());
                    break;
                case (byte)']': // EMPTY_LIST
                    Push(new List<object?>());
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(Array.Empty<object?>());
                    break;
                case 0x8F: // EMPTY_SET
                    Push(new List<object?>());
                    break;
                case 0x90: // ADDITEMS
                    {
                        var items = PopMark();
                        Expect<List<object?>>(Peek(), "ADDITEMS", "a set").AddRange(items);
                        break;
                    }

                case 0x91: // FROZENSET
                    Push(new List<object?>(PopMark()));
                    break;
                case (byte)'t': // TUPLE
                    Push(PopMark());
                    break;
                case 0x85: // TUPLE1
                    Push(new[] { Pop() });
                    break;
                case 0x86: // TUPLE2
                    {
                        var b = Pop();
                        var a = Pop();
                        Push(new[] { a, b });
                        break;
                    }

                case 0x87: // TUPLE3
                    {
                        var c = Pop();
                        var b = Pop();
                        var a = Pop();
                        Push(new[] { a, b, c });
                        break;
                    }

                case (byte)'l': // LIST
                    Push(new List<object?>(PopMark()));
                    break;
                case (byte)'d': // DICT
                    {
                        var items = PopMark();
                        var dict = new OrderedDictionary<object, object?>();
                        SetItems(dict, items, "DICT");
                        Push(dict);
                        break;
                    }

                case (byte)'a': // APPEND
                    {
                        var value = Pop();
                        Expect<List<object?>>(Peek(), "APPEND", "a list").Add(value);
                        break;
                    }

                case (byte)'e': // APPENDS
                    {
                        var items = PopMark();
                        Expect<List<object?>>(Peek(), "APPENDS", "a list").AddRange(items);
                        break;
                    }

                case (byte)'s': // SETITEM
                    {
                        var value = Pop();
                        var key = Pop();
                        SetItems(Expect<OrderedDictionary<object, object?>>(Peek(), "SETITEM", "a dict"), [key, value], "SETITEM");
                        break;
                    }

                case (byte)'u': // SETITEMS
                    {
                        var items = PopMark();
                        SetItems(Expect<OrderedDictionary<object, object?>>(Peek(), "SETITEMS", "a dict"), items, "SETITEMS");
                        break;
                    }

                case (byte)'q': // BINPUT
                    Put(ReadByte());
                    break;
                case (byte)'r': // LONG_BINPUT
                    Put(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)));
                    break;
                case 0x94: // MEMOIZE
                    Put(memo.Count);
                    break;
                case (byte)'h': // BINGET
                    Get(ReadByte());
                    break;
                case (byte)'j': // LONG_BINGET
                    Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)));
                    break;
                case (byte)'c': // GLOBAL
                    {
                        var module = ReadLine();
                        var name = ReadLine();
                        Push(ResolveGlobal(module, name));
                        break;
                    }

                case 0x93: // STACK_GLOBAL
                    {
                        var name = Pop() as string ?? throw Fail("STACK_GLOBAL", "a non-string name", "a string");
                        var module = Pop() as string ?? throw Fail("STACK_GLOBAL", "a non-string module", "a string");
                        Push(ResolveGlobal(module, name));
                        break;
                    }

                case (byte)'R': // REDUCE
                case 0x81: // NEWOBJ
                    {
                        var args = Pop() as object?[] ?? throw Fail(op == 0x81 ? "NEWOBJ" : "REDUCE", "non-tuple arguments", "an argument tuple");
                        var callable = Pop() as PickleGlobal ?? throw Fail(op == 0x81 ? "NEWOBJ" : "REDUCE", "a non-callable", "a whitelisted global");
                        Push(Call(callable, args));
                        break;
                    }

                case (byte)'b': // BUILD
                    {
                        var state = Pop();
                        var target = Peek();
                        if (target is OrderedDictionary<object, object?> && (state is null || state is OrderedDictionary<object, object?>))
                        {
                            // An OrderedDict's attribute dictionary (e.g. a state dict's '_metadata'): dropped, it carries no tensors.
                            break;
                        }

                        if (target is torch.Tensor && (state is null || state is OrderedDictionary<object, object?> || state is object?[]))
                        {
                            break;
                        }

                        throw Fail("BUILD", Describe(target), "state for an OrderedDict or a tensor");
                    }

                case (byte)'Q': // BINPERSID
                    {
                        var pid = Pop() as object?[] ?? throw Fail("BINPERSID", "a non-tuple id", "a ('storage', type, key, location, numel) tuple");
                        Push(persistentLoad(pid));
                        break;
                    }

                default:
                    throw Fail("opcode", $"0x{op:x2}", "an opcode of pickle protocols 2–5 used by torch.save");
            }
        }
    }

    private object ResolveGlobal(string module, string name)
    {
        if (TorchStorageType.TryCreate(module, name) is { } storage)
        {
            return storage;
        }

        var full = $"{module}.{name}";
        if (PickleGlobal.Whitelist.TryGetValue(full, out var callable))
        {
            return new PickleGlobal(module, name, callable);
        }

        throw new CheckpointFormatException(file, record, "GLOBAL", full,
            $"only data constructors ({string.Join(", ", PickleGlobal.Whitelist.Keys)}, torch.<Type>Storage); the global was not executed. " +
            "The file references code; it is not a plain tensor checkpoint or was tampered with");
    }

    private object? Call(PickleGlobal callable, object?[] args)
    {
        switch (callable.Callable)
        {
            case PickleCallable.OrderedDict:
                {
                    var dict = new OrderedDictionary<object, object?>();
                    if (args.Length == 1 && args[0] is IEnumerable<object?> pairs)
                    {
                        foreach (var pair in pairs)
                        {
                            if (pair is not object?[] { Length: 2 } kv)
                            {
                                throw Fail("REDUCE", "a non-pair item", "collections.OrderedDict((key, value), ...)");
                            }

                            SetItems(dict, kv, "REDUCE");
                        }
                    }
                    else if (args.Length != 0)
                    {
                        throw Fail("REDUCE", $"{args.Length} arguments", "collections.OrderedDict() or OrderedDict(pairs)");
                    }

                    return dict;
                }

            case PickleCallable.TorchSize:
                return args.Length == 1 && args[0] is object?[] dims ? dims : throw Fail("REDUCE", Describe(args), "torch.Size(tuple)");
            case PickleCallable.CodecsEncode:
                // Protocol-2 pickles write Python 3 bytes as _codecs.encode(text, 'latin1').
                return args is [string text, string encoding] && encoding is ("latin1" or "latin-1")
                    ? Encoding.Latin1.GetBytes(text)
                    : throw Fail("REDUCE", Describe(args), "_codecs.encode(text, 'latin1')");
            case PickleCallable.RebuildParameter:
            case PickleCallable.RebuildParameterWithState:
                return args.Length >= 1 && args[0] is torch.Tensor t ? t : throw Fail("REDUCE", Describe(args), $"{callable.FullName}(tensor, ...)");
            case PickleCallable.RebuildTensor:
            case PickleCallable.RebuildTensorV2:
                return RebuildTensor(callable, args);
            default:
                throw Fail("REDUCE", callable.FullName, "a supported callable");
        }
    }

    private torch.Tensor RebuildTensor(PickleGlobal callable, object?[] args)
    {
        var minArgs = callable.Callable == PickleCallable.RebuildTensorV2 ? 6 : 4;
        if (args.Length < minArgs || args.Length > minArgs + 1 || args[0] is not TorchStorage storage || args[1] is not long offset
            || args[2] is not object?[] sizeTuple || args[3] is not object?[] strideTuple)
        {
            throw Fail("REDUCE", Describe(args), $"{callable.FullName}(storage, storage_offset, size, stride, ...)");
        }

        var size = ToLongs(sizeTuple, "size");
        var stride = ToLongs(strideTuple, "stride");
        if (size.Length != stride.Length)
        {
            throw Fail("tensor stride", $"{stride.Length} strides for {size.Length} dimensions", "one stride per dimension");
        }

        var storageLength = storage.Data.shape[0];
        if (offset < 0 || offset > storageLength)
        {
            throw Fail("tensor storage_offset", offset.ToString(CultureInfo.InvariantCulture), $"0..{storageLength} (storage '{storage.Key}')");
        }

        var last = offset;
        var empty = false;
        for (var i = 0; i < size.Length; i++)
        {
            if (size[i] < 0 || stride[i] < 0)
            {
                throw Fail("tensor size/stride", $"size [{string.Join(", ", size)}] stride [{string.Join(", ", stride)}]", "non-negative sizes and strides");
            }

            if (size[i] == 0)
            {
                empty = true;
            }
        }

        if (!empty)
        {
            try
            {
                for (var i = 0; i < size.Length; i++)
                {
                    last = checked(last + checked((size[i] - 1) * stride[i]));
                }
            }
            catch (OverflowException)
            {
                last = long.MaxValue;
            }

            if (last >= storageLength)
            {
                throw Fail("tensor size/stride", $"size [{string.Join(", ", size)}] stride [{string.Join(", ", stride)}] offset {offset}",
                    $"a view inside storage '{storage.Key}' of {storageLength} elements");
            }
        }

        var view = storage.Data.as_strided(size, stride, offset);
        created.Add(view);
        return view;
    }

    private long[] ToLongs(object?[] tuple, string what)
    {
        var result = new long[tuple.Length];
        for (var i = 0; i < tuple.Length; i++)
        {
            result[i] = tuple[i] is long v ? v : throw Fail($"tensor {what}", Describe(tuple), "a tuple of integers");
        }

        return result;
    }

    private void SetItems(OrderedDictionary<object, object?> dict, object?[] items, string op)
    {
        if (items.Length % 2 != 0)
        {
            throw Fail(op, $"{items.Length} items", "key/value pairs");
        }

        for (var i = 0; i < items.Length; i += 2)
        {
            var key = items[i] ?? throw Fail(op, "a None key", "a string or integer key");
            if (key is not (string or long or bool or double or BigInteger or object?[]))
            {
                throw Fail(op, $"a key of type {Describe(key)}", "a string, number or tuple key");
            }

            dict[key] = items[i + 1];
        }
    }

    private T Expect<T>(object? value, string op, string expected)
        where T : class => value as T ?? throw Fail(op, Describe(value), expected);

    private void Put(long index)
    {
        if (stack.Count == 0)
        {
            throw Fail("memo put", "an empty stack", "a value to memoize");
        }

        if (memo.Count >= MaxMemo && !memo.ContainsKey(index))
        {
            throw Fail("memo", $"more than {MaxMemo} entries", "a smaller memo");
        }

        memo[index] = stack[^1];
    }

    private void Get(long index)
    {
        if (!memo.TryGetValue(index, out var value))
        {
            throw Fail("memo get", index.ToString(CultureInfo.InvariantCulture), "an index stored earlier");
        }

        Push(value);
    }

    private void Push(object? value)
    {
        if (stack.Count >= MaxStack)
        {
            throw Fail("stack", $"more than {MaxStack} items", "a smaller pickle stack");
        }

        stack.Add(value);
    }

    private object? Pop()
    {
        if (stack.Count == 0 || (marks.Count > 0 && stack.Count <= marks[^1]))
        {
            throw Fail("stack", "an empty stack (or a mark)", "a value");
        }

        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private object? Peek()
    {
        if (stack.Count == 0 || (marks.Count > 0 && stack.Count <= marks[^1]))
        {
            throw Fail("stack", "an empty stack (or a mark)", "a value");
        }

        return stack[^1];
    }

    private object?[] PopMark()
    {
        if (marks.Count == 0)
        {
            throw Fail("mark", "no open MARK", "a MARK before this opcode");
        }

        var mark = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var items = stack.GetRange(mark, stack.Count - mark).ToArray();
        stack.RemoveRange(mark, stack.Count - mark);
        return items;
    }

    private byte ReadByte()
    {
        if (pos >= data.Length)
        {
            throw Fail("end of data", $"{data.Length} bytes", "a STOP opcode before the end (truncated pickle)");
        }

        return data[pos++];
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > data.Length - pos)
        {
            throw Fail("end of data", $"{count} bytes wanted, {data.Length - pos} left", "a complete opcode argument (truncated pickle)");
        }

        var span = data.AsSpan(pos, count);
        pos += count;
        return span;
    }

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    private ReadOnlySpan<byte> TakeLength(ulong length)
    {
        if (length > (ulong)(data.Length - pos))
        {
            throw Fail("length", length.ToString(CultureInfo.InvariantCulture), $"at most the {data.Length - pos} bytes left");
        }

        return Take((int)length);
    }

    private string ReadUtf8(ulong length)
    {
        var bytes = TakeLength(length);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointFormatException(file, record, $"string at offset {opcodeOffset}", e.Message, "valid UTF-8", e);
        }
    }

    private object ReadLong(int length)
    {
        var bytes = TakeLength((ulong)length);
        if (length <= 8)
        {
            long value = 0;
            for (var i = length - 1; i >= 0; i--)
            {
                value = (value << 8) | bytes[i];
            }

            if (length is > 0 and < 8 && (bytes[length - 1] & 0x80) != 0)
            {
                value -= 1L << (8 * length);
            }

            return value;
        }

        return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(data, (byte)'\n', pos, Math.Min(MaxGlobalLineBytes, data.Length - pos));
        if (end < 0)
        {
            throw Fail("GLOBAL", "an unterminated name", $"a newline-terminated name of at most {MaxGlobalLineBytes} bytes");
        }

        var text = Encoding.UTF8.GetString(data, pos, end - pos);
        pos = end + 1;
        return text;
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"'{(s.Length > 60 ? s[..60] + "…" : s)}'",
        long or double or bool => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        object?[] t => $"tuple({t.Length})",
        List<object?> l => $"list({l.Count})",
        OrderedDictionary<object, object?> d => $"dict({d.Count})",
        torch.Tensor => "a tensor",
        TorchStorage s => $"storage '{s.Key}'",
        TorchStorageType st => $"torch.{st.Name}",
        PickleGlobal g => g.FullName,
        _ => value.GetType().Name,
    };

    private CheckpointFormatException Fail(string field, string value, string expected) =>
        new(file, record, $"{field} (opcode at offset {opcodeOffset})", value, expected);
}
