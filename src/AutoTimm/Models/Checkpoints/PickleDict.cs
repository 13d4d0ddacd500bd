using System.Numerics;
using System.Runtime.CompilerServices;

namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// A Python dict (or OrderedDict) in insertion order. Keys compare as Python would for the values a checkpoint
/// uses (strings, integers, floats, booleans, None, tuples of those); other keys compare by identity.
/// </summary>
internal sealed class PickleDict
{
    private readonly List<object?> _keys = [];
    private readonly List<object?> _values = [];
    private readonly Dictionary<object, int> _index = new(KeyComparer.Instance);

    public int Count => _keys.Count;

    public IEnumerable<KeyValuePair<object?, object?>> Items => _keys.Select((k, i) => new KeyValuePair<object?, object?>(k, _values[i]));

    public void Set(object? key, object? value)
    {
        var boxed = key ?? NullKey.Instance;
        if (_index.TryGetValue(boxed, out var i))
        {
            _values[i] = value;
            return;
        }
        _index.Add(boxed, _keys.Count);
        _keys.Add(key);
        _values.Add(value);
    }

    public bool TryGet(object? key, out object? value)
    {
        if (_index.TryGetValue(key ?? NullKey.Instance, out var i))
        {
            value = _values[i];
            return true;
        }
        value = null;
        return false;
    }

    private sealed class NullKey
    {
        public static NullKey Instance { get; } = new();
    }

    /// <summary>Python-like equality; depth-limited so a hostile, deeply nested tuple key cannot exhaust the stack.</summary>
    private sealed class KeyComparer : IEqualityComparer<object>
    {
        private const int MaxDepth = 16;

        public static KeyComparer Instance { get; } = new();

        public new bool Equals(object? x, object? y) => AreEqual(x, y, 0);

        public int GetHashCode(object obj) => Hash(obj, 0);

        private static object Normalize(object? value) => value switch
        {
            null => NullKey.Instance,
            bool b => b ? 1L : 0L,
            BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
            double d when d == Math.Floor(d) && d >= long.MinValue && d < long.MaxValue => (long)d,
            _ => value,
        };

        private static bool AreEqual(object? x, object? y, int depth)
        {
            var a = Normalize(x);
            var b = Normalize(y);
            if (ReferenceEquals(a, b)) return true;
            if (depth >= MaxDepth) return false;
            return (a, b) switch
            {
                (string s, string t) => string.Equals(s, t, StringComparison.Ordinal),
                (long s, long t) => s == t,
                (double s, double t) => s.Equals(t),
                (BigInteger s, BigInteger t) => s == t,
                (byte[] s, byte[] t) => s.AsSpan().SequenceEqual(t),
                (PickleTuple s, PickleTuple t) => s.Count == t.Count && s.Items.Zip(t.Items).All(p => AreEqual(p.First, p.Second, depth + 1)),
                _ => false,
            };
        }

        private static int Hash(object? value, int depth)
        {
            var v = Normalize(value);
            if (depth >= MaxDepth) return 0;
            return v switch
            {
                string s => StringComparer.Ordinal.GetHashCode(s),
                long l => l.GetHashCode(),
                double d => d.GetHashCode(),
                BigInteger big => big.GetHashCode(),
                byte[] bytes => bytes.Length,
                PickleTuple t => t.Items.Aggregate(t.Count, (h, item) => HashCode.Combine(h, Hash(item, depth + 1))),
                _ => RuntimeHelpers.GetHashCode(v),
            };
        }
    }
}
