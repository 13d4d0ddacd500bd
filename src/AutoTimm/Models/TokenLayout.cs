namespace AutoTimm.Models;

/// <summary>
/// How a transformer's token sequence <c>[N,T,D]</c> maps to patches: <see cref="PrefixTokens"/> leading tokens
/// (class token, registers) followed by a row-major <see cref="GridHeight"/> x <see cref="GridWidth"/> patch grid.
/// </summary>
/// <param name="PrefixTokens">Number of non-patch tokens before the patches.</param>
/// <param name="GridHeight">Patch rows.</param>
/// <param name="GridWidth">Patch columns.</param>
public sealed record TokenLayout(int PrefixTokens, int GridHeight, int GridWidth)
{
    /// <summary>Total number of tokens, prefix included.</summary>
    public int TokenCount => PrefixTokens + GridHeight * GridWidth;
}
