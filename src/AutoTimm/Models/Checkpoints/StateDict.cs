using System.Collections;
using System.Diagnostics.CodeAnalysis;
using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// Named tensors in a fixed order, as a PyTorch <c>state_dict</c>: parameter and buffer names mapped to their values.
/// The dictionary owns its tensors: adding hands a tensor over, disposing the dictionary disposes them all.
/// </summary>
/// <remarks>
/// Tensors added are detached from any ambient TorchSharp dispose scope, so a caller's scope never frees them
/// behind the dictionary's back. Not thread-safe.
/// </remarks>
public sealed class StateDict : IReadOnlyDictionary<string, torch.Tensor>, IDisposable
{
    private readonly List<string> _names = [];
    private readonly Dictionary<string, torch.Tensor> _tensors = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Number of tensors.</summary>
    public int Count
    {
        get
        {
            ThrowIfDisposed();
            return _names.Count;
        }
    }

    /// <summary>Tensor names in order.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            ThrowIfDisposed();
            return _names;
        }
    }

    /// <inheritdoc/>
    public IEnumerable<string> Keys => Names;

    /// <inheritdoc/>
    public IEnumerable<torch.Tensor> Values
    {
        get
        {
            ThrowIfDisposed();
            return _names.Select(n => _tensors[n]);
        }
    }

    /// <summary>The tensor of a name; it stays owned by the dictionary (do not dispose it).</summary>
    /// <param name="name">Tensor name.</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public torch.Tensor this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            ThrowIfDisposed();
            return _tensors.TryGetValue(name, out var tensor)
                ? tensor
                : throw new KeyNotFoundException($"The state dict has no tensor named '{name}'.");
        }
    }

    /// <summary>Adds a tensor at the end; the dictionary takes ownership of it.</summary>
    /// <param name="name">Unique, non-empty name.</param>
    /// <param name="tensor">The tensor; the dictionary disposes it.</param>
    /// <exception cref="ArgumentException">The name is empty or already present.</exception>
    public void Add(string name, torch.Tensor tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfDisposed();
        if (_tensors.ContainsKey(name)) throw new ArgumentException($"The state dict already has a tensor named '{name}'.", nameof(name));
        tensor.DetachFromDisposeScope();
        _tensors.Add(name, tensor);
        _names.Add(name);
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        return _tensors.ContainsKey(key);
    }

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out torch.Tensor value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        return _tensors.TryGetValue(key, out value);
    }

    /// <summary>Removes a tensor and hands it to the caller, who then owns (and disposes) it.</summary>
    /// <param name="name">Tensor name.</param>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public torch.Tensor Take(string name)
    {
        var tensor = this[name];
        _tensors.Remove(name);
        _names.Remove(name);
        return tensor;
    }

    /// <summary>Removes and disposes a tensor; returns false when no tensor has that name.</summary>
    /// <param name="name">Tensor name.</param>
    public bool Remove(string name)
    {
        if (!ContainsKey(name)) return false;
        Take(name).Dispose();
        return true;
    }

    /// <summary>Renames every tensor, keeping the order.</summary>
    /// <param name="rename">New name of each old name.</param>
    /// <exception cref="ArgumentException">A new name is empty or two tensors would get the same name; nothing is renamed.</exception>
    public void RenameKeys(Func<string, string> rename)
    {
        ArgumentNullException.ThrowIfNull(rename);
        ThrowIfDisposed();
        var renamed = new List<string>(_names.Count);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in _names)
        {
            var next = rename(name);
            if (string.IsNullOrEmpty(next)) throw new ArgumentException($"Renaming '{name}' gave an empty name.", nameof(rename));
            if (!seen.TryAdd(next, name))
                throw new ArgumentException($"Renaming gives '{seen[next]}' and '{name}' the same name '{next}'.", nameof(rename));
            renamed.Add(next);
        }
        var tensors = _names.Select(n => _tensors[n]).ToList();
        _tensors.Clear();
        _names.Clear();
        for (var i = 0; i < renamed.Count; i++)
        {
            _tensors.Add(renamed[i], tensors[i]);
            _names.Add(renamed[i]);
        }
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, torch.Tensor>> GetEnumerator()
    {
        ThrowIfDisposed();
        foreach (var name in _names) yield return new KeyValuePair<string, torch.Tensor>(name, _tensors[name]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor the dictionary owns.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var tensor in _tensors.Values) tensor.Dispose();
        _tensors.Clear();
        _names.Clear();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
