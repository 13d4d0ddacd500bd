namespace AutoTimm.Fuzz;

/// <summary>Thrown under afl-fuzz so that a finding counts as a crash.</summary>
public sealed class FuzzFindingException(FuzzTarget target, FuzzOutcome outcome)
    : Exception($"{target.Name}: {outcome.Problem}", outcome.Exception);
