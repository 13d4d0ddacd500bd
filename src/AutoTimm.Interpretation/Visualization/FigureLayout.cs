namespace AutoTimm.Interpretation.Visualization;

/// <summary>How a comparison figure arranges its panels (the original first, then one per method).</summary>
public enum FigureLayout
{
    /// <summary>One row.</summary>
    Horizontal,

    /// <summary>One column.</summary>
    Vertical,

    /// <summary>
    /// A near-square grid filled row by row: <c>ceil(sqrt(n))</c> columns and as many rows as needed for the
    /// <c>n</c> panels (wider than tall when it cannot be square).
    /// </summary>
    Grid,
}
