using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// Decodes a pickle stream as <c>torch.save</c> writes it (protocols 2 to 5, without out-of-band buffers) into inert
/// managed values. It never imports, resolves or calls anything: the globals of <see cref="PickleGlobalPolicy"/> are
/// interpreted (containers, tensor rebuilds, storages), denied globals are refused at once, and any other class
/// becomes a <see cref="PickledObject"/> placeholder for the caller to accept or refuse.
/// </summary>
/// <remarks>
/// Values: null, bool, long, <see cref="BigInteger"/>, double, string, byte[], <see cref="PickleTuple"/>,
/// List&lt;object?&gt;, <see cref="PickleDict"/>, <see cref="PickleSet"/>, <see cref="PickleGlobal"/>,
/// <see cref="PickledObject"/>, <see cref="TorchStorageReference"/>, <see cref="TorchTensorReference"/>.
/// The machine is iterative: no input can make it recurse.
/// </remarks>
internal sealed class RestrictedUnpickler
{
    private const int MaxDimensions = 64;

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly string _source;
    private readonly Dictionary<long, object?> _memo = [];
    private readonly Dictionary<string, TorchStorageReference> _storages = new(StringComparer.Ordinal);
    private readonly List<List<object?>> _marks = [];
    private List<object?> _stack = [];
    private long _copyBudget;
    private int _position;
    private int _opcodeStart;

    /// <param name="data">The pickle bytes (e.g. a zip's <c>data.pkl</c>).</param>
    /// <param name="source">How to name the stream in errors.</param>
    public RestrictedUnpickler(byte[] data, string source)
    {
        _data = data;
        _source = source;
        // Copying containers is the only way a pickle can make work grow faster than its own size.
        _copyBudget = 16L * data.Length + 1_000_000;
    }

    /// <summary>Storages the persistent ids named, by key.</summary>
    public IReadOnlyDictionary<string, TorchStorageReference> Storages => _storages;

    /// <summary>Runs the stream to its STOP opcode and returns the top-level value.</summary>
    /// <exception cref="UnsafeCheckpointException">A denied global appears.</exception>
    /// <exception cref="CheckpointFormatException">The stream is malformed or uses an unsupported feature.</exception>
    public object? Load()
    {
        while (true)
        {
            _opcodeStart = _position;
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5) throw Error($"pickle protocol {protocol} is newer than 5");
                    break;
                case 0x95: // FRAME: framing is only a read-ahead hint
                    Read(8);
                    break;
                case (byte)'.': // STOP
                    if (_marks.Count != 0) throw Error("STOP inside an open MARK");
                    return Pop();
                case (byte)'(': // MARK
                    _marks.Add(_stack);
                    _stack = [];
                    break;
                case (byte)'0': // POP
                    if (_stack.Count > 0) Pop();
                    else PopMark();
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
                case (byte)'I': // INT (text; "01"/"00" are booleans)
                    var intText = ReadLine();
                    Push(intText switch { "01" => true, "00" => false, _ => ParseInteger(intText) });
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4)));
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2)));
                    break;
                case (byte)'L': // LONG (text)
                    Push(ParseInteger(ReadLine().TrimEnd('L')));
                    break;
                case 0x8a: // LONG1
                    Push(DecodeLong(Read(ReadByte())));
                    break;
                case 0x8b: // LONG4
                    Push(DecodeLong(Read(ReadLength(4))));
                    break;
                case (byte)'G': // BINFLOAT
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8)));
                    break;
                case (byte)'F': // FLOAT (text)
                    Push(double.TryParse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Error("FLOAT is not a number"));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(DecodeUtf8(Read(ReadLength(4))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(DecodeUtf8(Read(ReadByte())));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(DecodeUtf8(Read(ReadLength(8))));
                    break;
                case (byte)'T': // BINSTRING (Python 2 str)
                    Push(Encoding.Latin1.GetString(Read(ReadLength(4))));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(Read(ReadByte())));
                    break;
                case (byte)'B': // BINBYTES
                    Push(Read(ReadLength(4)).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(Read(ReadByte()).ToArray());
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    Push(Read(ReadLength(8)).ToArray());
                    break;
                case (byte)')':
                    Push(PickleTuple.Empty);
                    break;
                case (byte)'t':
                    Push(new PickleTuple(PopMark().ToArray()));
                    break;
                case 0x85:
                case 0x86:
                case 0x87:
                    var n = opcode - 0x84;
                    if (_stack.Count < n) throw Error($"TUPLE{n} needs {n} items, the stack has {_stack.Count}");
                    var items = _stack.GetRange(_stack.Count - n, n).ToArray();
                    _stack.RemoveRange(_stack.Count - n, n);
                    Push(new PickleTuple(items));
                    break;
                case (byte)']':
                    Push(new List<object?>());
                    break;
                case (byte)'l':
                    Push(PopMark());
                    break;
                case (byte)'a': // APPEND
                    var appended = Pop();
                    Append(Peek(), [appended]);
                    break;
                case (byte)'e': // APPENDS
                    var appendItems = PopMark();
                    Append(Peek(), appendItems);
                    break;
                case (byte)'}':
                    Push(new PickleDict());
                    break;
                case (byte)'d': // DICT
                    var dict = new PickleDict();
                    SetItems(dict, PopMark());
                    Push(dict);
                    break;
                case (byte)'s': // SETITEM
                    var value = Pop();
                    var key = Pop();
                    SetItems(Peek(), [key, value]);
                    break;
                case (byte)'u': // SETITEMS
                    var pairs = PopMark();
                    SetItems(Peek(), pairs);
                    break;
                case 0x8f: // EMPTY_SET
                    Push(new PickleSet());
                    break;
                case 0x90: // ADDITEMS
                    var added = PopMark();
                    if (Peek() is not PickleSet set) throw Error($"ADDITEMS on {Describe(Peek())}");
                    set.Items.AddRange(added);
                    break;
                case 0x91: // FROZENSET
                    var frozen = new PickleSet();
                    frozen.Items.AddRange(PopMark());
                    Push(frozen);
                    break;
                case (byte)'c': // GLOBAL
                    var module = ReadLine();
                    Push(Global(module, ReadLine()));
                    break;
                case 0x93: // STACK_GLOBAL
                    var globalName = Pop();
                    var globalModule = Pop();
                    if (globalModule is not string m || globalName is not string g) throw Error("STACK_GLOBAL needs two strings");
                    Push(Global(m, g));
                    break;
                case (byte)'R': // REDUCE
                    var arguments = Pop();
                    Push(Reduce(Pop(), arguments));
                    break;
                case 0x81: // NEWOBJ
                    var newArguments = Pop();
                    Push(NewObject(Pop(), newArguments));
                    break;
                case 0x92: // NEWOBJ_EX
                    Pop(); // keyword arguments: kept out of the placeholder, nothing is called
                    var exArguments = Pop();
                    Push(NewObject(Pop(), exArguments));
                    break;
                case (byte)'i': // INST (protocol 0/1 instance)
                    var instModule = ReadLine();
                    var instClass = Global(instModule, ReadLine());
                    Push(NewObject(instClass, new PickleTuple(PopMark().ToArray())));
                    break;
                case (byte)'o': // OBJ (protocol 1 instance)
                    var objItems = PopMark();
                    if (objItems.Count == 0) throw Error("OBJ without a class");
                    Push(NewObject(objItems[0], new PickleTuple(objItems.Skip(1).ToArray())));
                    break;
                case (byte)'b': // BUILD
                    var state = Pop();
                    if (Peek() is PickledObject placeholder) placeholder.State = state;
                    break;
                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(Pop()));
                    break;
                case (byte)'P':
                    throw Error("text persistent ids (PERSID) are not used by torch.save");
                case (byte)'p': // PUT
                    _memo[ParseMemoIndex(ReadLine())] = Peek();
                    break;
                case (byte)'q': // BINPUT
                    _memo[ReadByte()] = Peek();
                    break;
                case (byte)'r': // LONG_BINPUT
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(Read(4))] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    _memo[_memo.Count] = Peek();
                    break;
                case (byte)'g': // GET
                    Push(MemoGet(ParseMemoIndex(ReadLine())));
                    break;
                case (byte)'h': // BINGET
                    Push(MemoGet(ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))));
                    break;
                case 0x82:
                case 0x83:
                case 0x84:
                    throw Error("extension-registry opcodes (EXT1/2/4) are not supported");
                case 0x97:
                case 0x98:
                    throw Error("out-of-band buffers (protocol 5) are not supported");
                default:
                    throw Error($"unsupported or invalid opcode 0x{opcode:x2}");
            }
        }
    }

    private PickleGlobal Global(string module, string name)
    {
        if (module.Length == 0 || name.Length == 0) throw Error("a global with an empty module or name");
        var global = new PickleGlobal(PickleGlobalPolicy.NormalizeModule(module), name);
        if (PickleGlobalPolicy.Classify(global) == PickleGlobalKind.Denied)
            throw new UnsafeCheckpointException(global.FullName,
                $"Refused to load '{_source}': its pickle references {global.FullName}, which could run code. Nothing was executed; only load checkpoints from sources you trust, and prefer .safetensors.");
        return global;
    }

    private object? Reduce(object? callable, object? arguments)
    {
        if (arguments is not PickleTuple args) throw Error($"REDUCE arguments are {Describe(arguments)}, not a tuple");
        return callable switch
        {
            PickleGlobal global => PickleGlobalPolicy.Classify(global) switch
            {
                PickleGlobalKind.Dict => BuildDict(global, args),
                PickleGlobalKind.Set => BuildSet(args),
                PickleGlobalKind.List => new List<object?>(args.Count > 0 ? Items(args[0], "list()") : []),
                PickleGlobalKind.Tuple => new PickleTuple(args.Count > 0 ? Items(args[0], $"{global}()").ToArray() : []),
                PickleGlobalKind.Bytes => BuildBytes(args),
                PickleGlobalKind.RebuildTensor => RebuildTensor(args),
                PickleGlobalKind.RebuildParameter => args.Count >= 1 && args[0] is TorchTensorReference tensor
                    ? tensor
                    : throw Error($"{global} expects a tensor, got {Describe(args.Count > 0 ? args[0] : null)}"),
                PickleGlobalKind.Device => string.Join(":", args.Items.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture))),
                _ => new PickledObject(global, args),
            },
            PickledObject placeholder => new PickledObject(placeholder.Type, args),
            _ => throw Error($"REDUCE calls {Describe(callable)}, which is not callable"),
        };
    }

    private object NewObject(object? type, object? arguments)
    {
        if (type is not PickleGlobal global)
            return type is PickledObject placeholder ? new PickledObject(placeholder.Type, arguments) : throw Error($"NEWOBJ on {Describe(type)}");
        return PickleGlobalPolicy.Classify(global) switch
        {
            PickleGlobalKind.Dict => new PickleDict(),
            PickleGlobalKind.Set => new PickleSet(),
            PickleGlobalKind.List => new List<object?>(),
            _ => new PickledObject(global, arguments),
        };
    }

    private PickleDict BuildDict(PickleGlobal global, PickleTuple args)
    {
        var dict = new PickleDict();
        if (global.Name == "defaultdict" || args.Count == 0) return dict; // defaultdict's argument is its factory
        switch (args[0])
        {
            case PickleDict source:
                Charge(source.Count);
                foreach (var (k, v) in source.Items) dict.Set(k, v);
                break;
            case List<object?> or PickleTuple:
                foreach (var pair in Items(args[0], $"{global}()"))
                {
                    var kv = Items(pair, $"{global}() item");
                    if (kv.Count != 2) throw Error($"{global}() item has {kv.Count} elements, not 2");
                    dict.Set(kv[0], kv[1]);
                }
                break;
            default:
                throw Error($"{global}() of {Describe(args[0])}");
        }
        return dict;
    }

    private PickleSet BuildSet(PickleTuple args)
    {
        var set = new PickleSet();
        if (args.Count > 0) set.Items.AddRange(Items(args[0], "set()"));
        return set;
    }

    /// <summary>Protocol 2 pickles bytes as <c>_codecs.encode(text, 'latin1')</c>.</summary>
    private byte[] BuildBytes(PickleTuple args)
    {
        if (args.Count == 0) return [];
        return args[0] switch
        {
            byte[] bytes => bytes,
            string text when args.Count < 2 || args[1] is "latin1" or "latin-1" or "iso-8859-1" => Encoding.Latin1.GetBytes(text),
            string text when args[1] is "utf-8" or "utf8" => Encoding.UTF8.GetBytes(text),
            _ => throw Error($"bytes from {Describe(args[0])}"),
        };
    }

    /// <summary><c>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])</c>.</summary>
    private TorchTensorReference RebuildTensor(PickleTuple args)
    {
        if (args.Count < 4) throw Error($"_rebuild_tensor_v2 has {args.Count} arguments, needs at least 4");
        if (args[0] is not TorchStorageReference storage) throw Error($"_rebuild_tensor_v2 storage is {Describe(args[0])}");
        var offset = args[1] is long o && o >= 0 ? o : throw Error($"_rebuild_tensor_v2 offset is {Describe(args[1])}");
        var size = Dimensions(args[2], "size");
        var stride = Dimensions(args[3], "stride");
        if (size.Length != stride.Length) throw Error($"tensor size has {size.Length} dimensions but stride has {stride.Length}");
        try
        {
            var numel = TensorDTypes.NumberOfElements(size);
            if (numel > 0)
            {
                var last = offset;
                for (var i = 0; i < size.Length; i++) last = checked(last + (size[i] - 1) * stride[i]);
                if (last >= storage.Numel)
                    throw Error($"tensor [{string.Join(", ", size)}] with stride [{string.Join(", ", stride)}] at offset {offset} reaches element {last} of storage '{storage.Key}', which has {storage.Numel}");
            }
        }
        catch (OverflowException)
        {
            throw Error($"tensor size [{string.Join(", ", size)}] overflows");
        }
        return new TorchTensorReference(storage, offset, size, stride);
    }

    private long[] Dimensions(object? value, string what)
    {
        var items = Items(value, $"tensor {what}");
        if (items.Count > MaxDimensions) throw Error($"tensor {what} has {items.Count} dimensions");
        return items.Select(d => d is long l && l >= 0 ? l : throw Error($"tensor {what} element {Describe(d)}")).ToArray();
    }

    /// <summary><c>('storage', storage_type, key, location, numel)</c>.</summary>
    private TorchStorageReference PersistentLoad(object? pid)
    {
        if (pid is not PickleTuple { Count: 5 } t || t[0] is not "storage")
            throw Error($"persistent id {Describe(pid)} is not ('storage', type, key, location, numel)");
        if (t[1] is not PickleGlobal type || PickleGlobalPolicy.Classify(type) != PickleGlobalKind.StorageType)
            throw Error($"persistent id storage type is {Describe(t[1])}");
        if (t[2] is not string key || key.Length == 0) throw Error($"persistent id key is {Describe(t[2])}");
        if (t[3] is not string location) throw Error($"persistent id location is {Describe(t[3])}");
        if (t[4] is not long numel || numel < 0) throw Error($"persistent id element count is {Describe(t[4])}");
        var known = TensorDTypes.TryFromStorageType(type.Name, out var scalarType, out var size);
        var reference = new TorchStorageReference(key, type.Name, known ? scalarType : null, known ? size : 0, location, numel);
        if (_storages.TryGetValue(key, out var previous))
        {
            if (previous.StorageType != reference.StorageType || previous.Numel != reference.Numel)
                throw Error($"storage '{key}' is described twice differently ({previous.StorageType}[{previous.Numel}] and {reference.StorageType}[{reference.Numel}])");
            return previous;
        }
        _storages.Add(key, reference);
        return reference;
    }

    private void Append(object? target, List<object?> items)
    {
        switch (target)
        {
            case List<object?> list:
                list.AddRange(items);
                break;
            case PickledObject:
                break; // inert
            default:
                throw Error($"APPEND to {Describe(target)}");
        }
    }

    private void SetItems(object? target, List<object?> pairs)
    {
        if (pairs.Count % 2 != 0) throw Error("SETITEMS with an odd number of items");
        switch (target)
        {
            case PickleDict dict:
                for (var i = 0; i < pairs.Count; i += 2) dict.Set(pairs[i], pairs[i + 1]);
                break;
            case PickledObject:
                break; // inert
            default:
                throw Error($"SETITEM on {Describe(target)}");
        }
    }

    private List<object?> Items(object? value, string what)
    {
        var items = value switch
        {
            List<object?> list => list,
            PickleTuple tuple => [.. tuple.Items],
            PickleSet set => set.Items,
            _ => throw Error($"{what} expects a sequence, got {Describe(value)}"),
        };
        Charge(items.Count);
        return items;
    }

    private void Charge(long copies)
    {
        _copyBudget -= copies;
        if (_copyBudget < 0) throw Error("the pickle copies containers far beyond its own size");
    }

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Error($"memo index {index} was never stored");

    private long ParseMemoIndex(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Error($"memo index '{text}'");

    private object ParseInteger(string text)
    {
        if (!BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) throw Error($"integer '{text}'");
        return Narrow(value);
    }

    private static object DecodeLong(ReadOnlySpan<byte> bytes) => Narrow(new BigInteger(bytes, isUnsigned: false, isBigEndian: false));

    private static object Narrow(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (long)value : value;

    private string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (ArgumentException e)
        {
            throw Error("a string is not valid UTF-8", e);
        }
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        if (_stack.Count == 0) throw Error("stack underflow");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Error("stack underflow");

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Error("no MARK to pop");
        var items = _stack;
        _stack = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        return items;
    }

    private byte ReadByte()
    {
        if (_position >= _data.Length) throw Error("the pickle ends before STOP");
        return _data[_position++];
    }

    private ReadOnlySpan<byte> Read(int count)
    {
        if (count < 0 || count > _data.Length - _position) throw Error($"needs {count} bytes, {_data.Length - _position} remain");
        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    /// <summary>A little-endian length of 4 or 8 bytes, checked against what remains before anything is allocated.</summary>
    private int ReadLength(int width)
    {
        var length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Read(4)) : BinaryPrimitives.ReadUInt64LittleEndian(Read(8));
        if (length > (ulong)(_data.Length - _position)) throw Error($"a length of {length} bytes exceeds the {_data.Length - _position} that remain");
        return (int)length;
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0) throw Error("unterminated text argument");
        var text = DecodeUtf8(_data.AsSpan(_position, end - _position));
        _position = end + 1;
        return text;
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"'{(s.Length > 40 ? s[..40] + "..." : s)}'",
        long or double or bool or BigInteger => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        PickleGlobal g => g.FullName,
        PickledObject o => o.ToString(),
        PickleTuple t => $"a tuple of {t.Count}",
        List<object?> l => $"a list of {l.Count}",
        PickleDict d => $"a dict of {d.Count}",
        _ => $"a {value.GetType().Name}",
    };

    private CheckpointFormatException Error(string problem, Exception? inner = null) =>
        new($"Invalid pickle in '{_source}' at byte {_opcodeStart}: {problem}.", inner);
}
