namespace AutoTimm.Fuzz;

/// <summary>How a parser met one input.</summary>
public enum FuzzVerdict
{
    /// <summary>The input parsed.</summary>
    Accepted,

    /// <summary>The parser refused the input with its documented exception and a message that names the input.</summary>
    Rejected,

    /// <summary>A defect: an undocumented exception, or a refusal that does not say which input it is about.</summary>
    Finding,
}

/// <summary>The verdict on one input, with the exception behind a rejection or a finding.</summary>
/// <param name="Verdict">What happened.</param>
/// <param name="Exception">The exception thrown, or null when the input was accepted.</param>
/// <param name="Problem">For a finding, what is wrong.</param>
public sealed record FuzzOutcome(FuzzVerdict Verdict, Exception? Exception = null, string? Problem = null)
{
    /// <summary>The outcome of an input that parsed.</summary>
    public static readonly FuzzOutcome Accepted = new(FuzzVerdict.Accepted);
}
