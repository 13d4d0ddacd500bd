namespace AutoTimm.Interpretation.Features;

/// <summary>Where in the input one channel of a layer looks: a sensitivity per input pixel.</summary>
public sealed record ReceptiveField
{
    /// <summary>The layer's dotted name.</summary>
    public required string Layer { get; init; }

    /// <summary>The channel.</summary>
    public required int Channel { get; init; }

    /// <summary>How the sensitivity was measured.</summary>
    public required SensitivityMethod Method { get; init; }

    /// <summary>Height of the model input.</summary>
    public required int Height { get; init; }

    /// <summary>Width of the model input.</summary>
    public required int Width { get; init; }

    /// <summary>Sensitivity per pixel, row-major <c>[Height*Width]</c>, in the measure's own units.</summary>
    public required float[] Raw { get; init; }

    /// <summary><see cref="Raw"/> scaled to 0..1 by its maximum (all zero when nothing responds).</summary>
    public float[] Values
    {
        get
        {
            float max = Raw.Length == 0 ? 0 : Raw.Max();
            return max > 0 ? Raw.Select(v => Math.Max(0, v) / max).ToArray() : new float[Raw.Length];
        }
    }

    /// <summary>The pixel the channel responds to most, as (y, x).</summary>
    public (int Y, int X) Peak
    {
        get
        {
            int best = 0;
            for (int i = 1; i < Raw.Length; i++) if (Raw[i] > Raw[best]) best = i;
            return (best / Width, best % Width);
        }
    }
}
