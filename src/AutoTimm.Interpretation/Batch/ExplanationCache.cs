using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Batch;

/// <summary>
/// Explanations already computed, so an identical request costs a lookup: a least-recently-used memory store bounded
/// in bytes, and optionally a folder on disk that outlives the process. The key is the model's weights (a hash,
/// recomputed only when <see cref="VisionModel.WeightsVersion"/> changes, so a training step or a newly loaded
/// checkpoint never reuses old results), the exact bytes of the preprocessed input, the method with every options
/// record it was created from, and the target.
/// </summary>
/// <remarks>
/// Engaged by <see cref="Methods.Explainer.Cache"/>, by the high-level API's <c>cache</c> arguments, or for every
/// call by <see cref="Global"/>. It keeps classifier explanations of class targets (the predicted class or a given
/// one) from explainers the registry created; other requests pass through uncached. Thread-safe. Disk entries are
/// written atomically under a format-version folder (<c>v1/</c>), so a crash never leaves a half entry and a future
/// format never misreads an old one; an unreadable entry is a miss.
/// </remarks>
public sealed class ExplanationCache
{
    private const string FormatFolder = "v1";
    private static readonly byte[] Magic = "ATXC"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, LinkedListNode<(UInt128 Key, Heatmap Heatmap, long Bytes)>> _index = [];
    private readonly LinkedList<(UInt128 Key, Heatmap Heatmap, long Bytes)> _recent = new();
    private long _bytes, _hits, _diskHits, _misses, _evictions;

    /// <summary>Creates a cache.</summary>
    /// <param name="maxBytes">Bound on the memory the kept results take (their arrays); least recently used results go first.</param>
    /// <param name="directory">A folder for a persistent store, or null for memory only.</param>
    public ExplanationCache(long maxBytes = 256L << 20, string? directory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        MaxBytes = maxBytes;
        if (directory is not null)
        {
            Directory = Path.GetFullPath(directory);
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, FormatFolder));
        }
    }

    /// <summary>The cache every call uses when it names none; null (no caching) unless set.</summary>
    public static ExplanationCache? Global { get; set; }

    /// <summary>Bound on the memory store, in bytes.</summary>
    public long MaxBytes { get; }

    /// <summary>The disk store's folder, or null.</summary>
    public string? Directory { get; }

    /// <summary>Hits, misses and what is held.</summary>
    public CacheStatistics Statistics
    {
        get
        {
            lock (_gate) return new CacheStatistics(_hits, _diskHits, _misses, _index.Count, _bytes, _evictions);
        }
    }

    /// <summary>Drops every result held in memory (the disk store stays).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _index.Clear();
            _recent.Clear();
            _bytes = 0;
        }
    }

    /// <summary>
    /// The key of one request, or null when the request is not cacheable (an explainer not created by the registry,
    /// a task other than classification, a target other than a class).
    /// </summary>
    internal static UInt128? KeyOf(VisionModel model, ExplanationTask task, string? configuration, Tensor row, IExplanationTarget? target)
    {
        if (configuration is null || task is not ClassificationTask || target is not (null or ClassTarget)) return null;
        var hasher = new XxHash128();
        Span<byte> digest = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(digest, WeightsFingerprint.Of(model));
        hasher.Append(digest);
        hasher.Append(Encoding.UTF8.GetBytes($"|{configuration}|{(target is ClassTarget c ? c.Class.ToString(System.Globalization.CultureInfo.InvariantCulture) : "predicted")}|{string.Join(",", row.shape)}|"));
        using var cpu = row.detach().to(ScalarType.Float32, CPU).contiguous();
        // The one-shot hash of the input's bytes, then its digest: XxHash128's one-shot form is ~5x faster than
        // streaming the same bytes through Append (65 vs 350 us for a 224 px image).
        BinaryPrimitives.WriteUInt128LittleEndian(digest, XxHash128.HashToUInt128(cpu.bytes));
        hasher.Append(digest);
        return hasher.GetCurrentHashAsUInt128();
    }

    /// <summary>
    /// Looks up every row of a request: <see cref="CacheLookup.Found"/> holds copies of the results known, and
    /// <see cref="CacheLookup.Missing"/> the rows to compute (every row when <paramref name="cache"/> is null or the
    /// request is not cacheable).
    /// </summary>
    internal static CacheLookup Lookup(ExplanationCache? cache, Methods.Explainer explainer, ExplanationTask task, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        int n = (int)inputs.shape[0];
        var keys = new UInt128?[n];
        var found = new Heatmap?[n];
        if (cache is not null && explainer.Configuration is not null)
        {
            for (int i = 0; i < n; i++)
            {
                using var row = inputs[i];
                keys[i] = KeyOf(explainer.Model, task, explainer.Configuration, row, targets[i]);
                if (keys[i] is { } key && cache.Get(key) is { } known) found[i] = known.Copy();
            }
        }
        return new CacheLookup(cache, keys, found);
    }

    /// <summary>The result stored under <paramref name="key"/>, from memory or disk, or null.</summary>
    internal Heatmap? Get(UInt128 key)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                _hits++;
                return node.Value.Heatmap;
            }
        }
        if (Directory is not null && HeatmapFile.TryRead(PathOf(key)) is { } stored)
        {
            Keep(key, stored);
            lock (_gate)
            {
                _hits++;
                _diskHits++;
            }
            return stored;
        }
        lock (_gate) _misses++;
        return null;
    }

    /// <summary>Stores a result under <paramref name="key"/>, in memory and, when there is a store, on disk.</summary>
    internal void Put(UInt128 key, Heatmap heatmap)
    {
        Keep(key, heatmap);
        if (Directory is null || heatmap.Target is not ClassTarget || heatmap.Prediction is not ClassPrediction) return;
        var path = PathOf(key);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            AtomicFile.Write(path, stream => HeatmapFile.Write(stream, heatmap));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The disk store is an optimization: a full or read-only disk costs recomputation, not the result.
        }
    }

    /// <summary>Stores a copy of a computed result for later requests.</summary>
    internal void Put(UInt128 key, Heatmap heatmap, bool copy) => Put(key, copy ? heatmap.Copy() : heatmap);

    private void Keep(UInt128 key, Heatmap heatmap)
    {
        long bytes = 4L * (heatmap.Values.Length + heatmap.Raw.Length + (heatmap.Attributions?.Length ?? 0)) + 256;
        if (bytes > MaxBytes) return;
        lock (_gate)
        {
            if (_index.Remove(key, out var old))
            {
                _recent.Remove(old);
                _bytes -= old.Value.Bytes;
            }
            _index[key] = _recent.AddFirst((key, heatmap, bytes));
            _bytes += bytes;
            while (_bytes > MaxBytes && _recent.Last is { } last)
            {
                _recent.RemoveLast();
                _index.Remove(last.Value.Key);
                _bytes -= last.Value.Bytes;
                _evictions++;
            }
        }
    }

    private string PathOf(UInt128 key)
    {
        var hex = key.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
        return Path.Combine(Directory!, FormatFolder, hex[..2], hex + ".heatmap");
    }

    /// <summary>
    /// One classifier heatmap on disk: magic, then the method, layer, target class, predicted probabilities, sizes,
    /// convergence delta, raw map and attributions (the normalized map is recomputed from the raw one), little-endian.
    /// </summary>
    private static class HeatmapFile
    {
        public static void Write(Stream stream, Heatmap heatmap)
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            var prediction = (ClassPrediction)heatmap.Prediction;
            writer.Write(Magic);
            writer.Write(heatmap.Method);
            writer.Write(heatmap.Layer ?? "");
            writer.Write(((ClassTarget)heatmap.Target).Class);
            writer.Write(prediction.PredictedClass);
            WriteFloats(writer, [.. prediction.Probabilities]);
            writer.Write(heatmap.Height);
            writer.Write(heatmap.Width);
            writer.Write(heatmap.NativeResolution.Height);
            writer.Write(heatmap.NativeResolution.Width);
            writer.Write(heatmap.ConvergenceDelta ?? double.NaN);
            WriteFloats(writer, heatmap.Raw);
            WriteFloats(writer, heatmap.Attributions ?? []);
        }

        public static Heatmap? TryRead(string path)
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                using var reader = new BinaryReader(stream, Encoding.UTF8);
                if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) return null;
                var method = reader.ReadString();
                var layer = reader.ReadString();
                var target = reader.ReadInt32();
                var predicted = reader.ReadInt32();
                var probabilities = ReadFloats(reader, stream);
                int height = reader.ReadInt32(), width = reader.ReadInt32(), nativeHeight = reader.ReadInt32(), nativeWidth = reader.ReadInt32();
                var delta = reader.ReadDouble();
                var raw = ReadFloats(reader, stream);
                var attributions = ReadFloats(reader, stream);
                if (height <= 0 || width <= 0 || raw.Length != (long)height * width || stream.Position != stream.Length
                    || !FiniteCheck.All(raw) || !FiniteCheck.All(attributions)) return null;
                return new Heatmap(raw, height, width)
                {
                    Method = method,
                    Layer = layer.Length > 0 ? layer : null,
                    Target = new ClassTarget(target),
                    Prediction = new ClassPrediction(predicted, probabilities),
                    NativeResolution = (nativeHeight, nativeWidth),
                    ConvergenceDelta = double.IsNaN(delta) ? null : delta,
                    Attributions = attributions.Length > 0 ? attributions : null,
                };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or ArgumentException or InvalidDataException)
            {
                return null;
            }
        }

        private static void WriteFloats(BinaryWriter writer, float[] values)
        {
            writer.Write(values.Length);
            foreach (var v in values) writer.Write(v);
        }

        private static float[] ReadFloats(BinaryReader reader, Stream stream)
        {
            int count = reader.ReadInt32();
            if (count < 0 || 4L * count > stream.Length - stream.Position) throw new InvalidDataException("array longer than the file");
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = reader.ReadSingle();
            return values;
        }
    }
}

/// <summary>One request's rows as the cache knows them: found results, and the rows still to compute.</summary>
internal sealed class CacheLookup(ExplanationCache? cache, UInt128?[] keys, Heatmap?[] found)
{
    /// <summary>Results known, by row (null: to compute).</summary>
    public Heatmap?[] Found => found;

    /// <summary>Rows to compute, ascending.</summary>
    public int[] Missing { get; } = [.. Enumerable.Range(0, found.Length).Where(i => found[i] is null)];

    /// <summary>The rows of <paramref name="inputs"/> to compute: the tensor itself when every row is missing.</summary>
    public Tensor MissingRows(Tensor inputs) => Missing.Length == found.Length
        ? inputs
        : inputs.index_select(0, tensor(Missing.Select(i => (long)i).ToArray(), device: inputs.device));

    /// <summary>Records row <paramref name="row"/>'s computed result, storing it when the row is cacheable.</summary>
    public void Computed(int row, Heatmap heatmap)
    {
        found[row] = heatmap;
        if (cache is not null && keys[row] is { } key) cache.Put(key, heatmap, copy: true);
    }
}
