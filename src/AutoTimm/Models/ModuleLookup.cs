using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// Finds submodules by dotted PyTorch path (<c>layer4</c>, <c>layer3.1.conv2</c>, <c>blocks.11.norm1</c>).
/// Where a model is its own backbone, <c>backbone.</c>-prefixed names (AutoTimm's Python naming) resolve too.
/// </summary>
public static class ModuleLookup
{
    private const string BackbonePrefix = "backbone.";

    /// <summary>Every submodule's dotted name, in registration order (root excluded).</summary>
    public static IReadOnlyList<string> Names(nn.Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var names = new List<string>();
        Walk(root, "", (name, _) => names.Add(name));
        return names;
    }

    /// <summary>The submodule at a dotted path.</summary>
    /// <exception cref="LayerNotFoundException">No such module; the message lists close matches.</exception>
    public static nn.Module Resolve(nn.Module root, string name)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (root is INamedLayers named && named.FindLayer(name) is { } layer) return layer;
        if (TryWalk(root, name) is { } found) return found;
        if (name.StartsWith(BackbonePrefix, StringComparison.Ordinal) && TryWalk(root, name[BackbonePrefix.Length..]) is { } inner)
            return inner;
        throw new LayerNotFoundException(name, ClosestNames(root, name));
    }

    /// <summary>Canonical dotted name of a module given by name (resolving the <c>backbone.</c> alias).</summary>
    public static string Canonical(nn.Module root, string name) => NameOf(root, Resolve(root, name));

    /// <summary>Dotted name of a module held by reference.</summary>
    /// <exception cref="LayerNotFoundException">The module is not part of <paramref name="root"/>.</exception>
    public static string NameOf(nn.Module root, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(module);
        if (root is INamedLayers named && named.LayerName(module) is { } own) return own;
        string? found = null;
        Walk(root, "", (name, m) => found ??= ReferenceEquals(m, module) ? name : null);
        return found ?? throw new LayerNotFoundException($"<{module.GetName()} module>", []);
    }

    private static nn.Module? TryWalk(nn.Module root, string name)
    {
        nn.Module current = root;
        foreach (var part in name.Split('.'))
        {
            nn.Module? next = null;
            foreach (var (childName, child) in current.named_children())
            {
                if (childName == part) { next = child; break; }
            }
            if (next is null) return null;
            current = next;
        }
        return current;
    }

    private static void Walk(nn.Module module, string prefix, Action<string, nn.Module> visit)
    {
        foreach (var (childName, child) in module.named_children())
        {
            var name = prefix.Length == 0 ? childName : $"{prefix}.{childName}";
            visit(name, child);
            Walk(child, name, visit);
        }
    }

    private static IReadOnlyList<string> ClosestNames(nn.Module root, string name)
    {
        var target = name.StartsWith(BackbonePrefix, StringComparison.Ordinal) ? name[BackbonePrefix.Length..] : name;
        return Names(root)
            .Select(n => (n, d: EditDistance(n, target)))
            .OrderBy(x => x.d).ThenBy(x => x.n, StringComparer.Ordinal)
            .Take(5).Select(x => x.n).ToArray();
    }

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}

/// <summary>A layer name that does not exist in the model.</summary>
public sealed class LayerNotFoundException(string name, IReadOnlyList<string> closest)
    : ArgumentException(closest.Count > 0
        ? $"no layer named '{name}'; closest: {string.Join(", ", closest)}"
        : $"no layer named '{name}'")
{
    /// <summary>The name asked for.</summary>
    public string LayerName { get; } = name;

    /// <summary>Existing names closest to it.</summary>
    public IReadOnlyList<string> Closest { get; } = closest;
}
