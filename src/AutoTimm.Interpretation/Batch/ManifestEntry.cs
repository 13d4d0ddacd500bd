namespace AutoTimm.Interpretation.Batch;

/// <summary>
/// One line of an <c>explain-batch</c> manifest: what became of one input. Output paths are relative to the output
/// folder, so a manifest moves with its folder.
/// </summary>
public sealed record ManifestEntry
{
    /// <summary>Every requested method's outputs were written.</summary>
    public const string Ok = "ok";

    /// <summary>Some methods' outputs were written, others failed (see <see cref="Errors"/>).</summary>
    public const string Partial = "partial";

    /// <summary>Nothing was written: the input could not be read, or every method failed.</summary>
    public const string Failed = "failed";

    /// <summary>The input's key: its path relative to the input folder or list, '/' separated.</summary>
    public required string Path { get; init; }

    /// <summary><see cref="Ok"/>, <see cref="Partial"/> or <see cref="Failed"/>.</summary>
    public required string Status { get; init; }

    /// <summary>The model's predicted class (classifiers), when the input was read.</summary>
    public int? PredictedClass { get; init; }

    /// <summary>The predicted class's name.</summary>
    public string? Label { get; init; }

    /// <summary>The predicted class's probability.</summary>
    public double? Confidence { get; init; }

    /// <summary>The class explained.</summary>
    public int? TargetClass { get; init; }

    /// <summary>Files written per method id.</summary>
    public IReadOnlyDictionary<string, ManifestOutputs>? Outputs { get; init; }

    /// <summary>Why an input or a method failed: by method id, or <c>input</c> for the file itself.</summary>
    public IReadOnlyDictionary<string, string>? Errors { get; init; }

    /// <summary>Milliseconds per stage for this input (the batch stages are its share of its batch).</summary>
    public IReadOnlyDictionary<string, double>? TimingsMs { get; init; }
}

/// <summary>The files one method wrote for one input, relative to the output folder.</summary>
/// <param name="Figure">The overlay PNG.</param>
/// <param name="Raw">The raw map, float32 <c>[H,W]</c> <c>.npy</c>, when raw maps are saved.</param>
/// <param name="Attributions">Per-channel attributions, float32 <c>[3,H,W]</c> <c>.npy</c> (Integrated Gradients, SmoothGrad).</param>
public sealed record ManifestOutputs(string Figure, string? Raw = null, string? Attributions = null)
{
    /// <summary>The paths, for existence checks.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> Files => new[] { Figure, Raw, Attributions }.OfType<string>();
}
