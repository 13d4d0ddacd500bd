namespace AutoTimm;

/// <summary>
/// How far a long task has come, as the library reports it through <see cref="IProgress{T}"/>: training epochs,
/// evaluation batches, the methods of an interpretation. Presentation (a progress bar, a log line) is the caller's.
/// </summary>
/// <param name="Stage">What is running, e.g. <c>epoch 3/14</c> or <c>evaluate</c>.</param>
/// <param name="Done">Units finished in this stage.</param>
/// <param name="Total">Units in this stage.</param>
public sealed record WorkProgress(string Stage, int Done, int Total)
{
    /// <summary>A short status, e.g. <c>loss 0.4123, 210 img/s</c>, or the stage's summary when it is finished.</summary>
    public string? Detail { get; init; }

    /// <summary>The stage is complete.</summary>
    public bool Finished => Done >= Total;
}
