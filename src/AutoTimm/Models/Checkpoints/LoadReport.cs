using System.Text;

namespace AutoTimm.Models.Checkpoints;

/// <summary>How a checkpoint's tensors matched a module's parameters and buffers.</summary>
public sealed class LoadReport
{
    /// <summary>How many names of each kind a description lists before summarizing the rest.</summary>
    public const int NamesShown = 10;

    /// <summary>Creates a report.</summary>
    /// <param name="loaded">Module names whose values were (or would be) copied from the checkpoint.</param>
    /// <param name="missing">Module names with no tensor in the checkpoint.</param>
    /// <param name="unexpected">Checkpoint keys with no tensor of that name in the module.</param>
    /// <param name="shapeMismatches">Tensors present in both with different shapes.</param>
    public LoadReport(IReadOnlyList<string> loaded, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<ShapeMismatch> shapeMismatches)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(missing);
        ArgumentNullException.ThrowIfNull(unexpected);
        ArgumentNullException.ThrowIfNull(shapeMismatches);
        Loaded = loaded;
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Module names whose values were (or, in a failed strict load, would have been) copied.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>Module parameter and buffer names the checkpoint has no tensor for.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Checkpoint keys (as stored, before the key map) that name nothing in the module.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Tensors present on both sides with different shapes; they are never copied.</summary>
    public IReadOnlyList<ShapeMismatch> ShapeMismatches { get; }

    /// <summary>True when every module tensor was matched by exactly one checkpoint tensor of the same shape.</summary>
    public bool IsExactMatch => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>One-paragraph description naming the first <see cref="NamesShown"/> keys of each kind, with counts.</summary>
    public string Describe()
    {
        if (IsExactMatch) return $"all {Loaded.Count} tensors matched.";
        var text = new StringBuilder();
        Append(text, "missing from the checkpoint", Missing);
        Append(text, "unexpected in the checkpoint", Unexpected);
        Append(text, "shape mismatches", ShapeMismatches.Select(m => m.ToString()).ToList());
        text.Append($"{Loaded.Count} tensors matched.");
        return text.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();

    private static void Append(StringBuilder text, string kind, IReadOnlyList<string> names)
    {
        if (names.Count == 0) return;
        text.Append($"{names.Count} {kind}: ");
        text.Append(string.Join(", ", names.Take(NamesShown)));
        if (names.Count > NamesShown) text.Append($", ... and {names.Count - NamesShown} more");
        text.Append("; ");
    }
}
