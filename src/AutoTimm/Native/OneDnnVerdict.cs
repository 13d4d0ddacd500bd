using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoTimm.Native;

/// <summary>The oneDNN probe's verdict for one host and libtorch build, as cached.</summary>
/// <param name="FormatVersion">Version of this record's layout.</param>
/// <param name="Isa">The chosen cap (a value of <c>ONEDNN_MAX_CPU_ISA</c>), or "native" for none.</param>
/// <param name="Reason">Why, in a sentence.</param>
/// <param name="Host">CPU model, family, microcode, caches and core count.</param>
/// <param name="Key">Hash of the host signature and libtorch build the verdict is valid for.</param>
/// <param name="Libtorch">The libtorch build measured.</param>
/// <param name="Threads">libtorch threads the children ran with (its default: the core count).</param>
/// <param name="Candidates">Each cap measured, highest first.</param>
/// <param name="MeasuredAtUtc">When.</param>
/// <param name="ProbeSeconds">Wall time of the whole probe.</param>
public sealed record OneDnnVerdict(
    int FormatVersion, string Isa, string Reason, string Host, string Key, string Libtorch, int Threads,
    IReadOnlyList<OneDnnCandidate> Candidates, DateTime MeasuredAtUtc, double ProbeSeconds)
{
    /// <summary>The layout written by this version.</summary>
    public const int CurrentFormat = 1;
}

/// <summary>What was decided about oneDNN's ISA in this process.</summary>
/// <param name="Source">"probe" (measured now), "cache" (measured before), "user", "proxy" (no probe possible),
/// "probe child" or "not applicable".</param>
/// <param name="Isa">The cap in force, or "native".</param>
/// <param name="Summary">Why, in a sentence.</param>
/// <param name="Verdict">The measurements behind it, when there are any.</param>
public sealed record OneDnnDecision(string Source, string Isa, string Summary, OneDnnVerdict? Verdict)
{
    /// <summary>Where the verdict is cached, when it is.</summary>
    public string? CacheFile { get; init; }

    /// <summary>One line for provenance records and diagnostics.</summary>
    public override string ToString() => $"{Isa} ({Source}): {Summary}";
}

internal static class OneDnnJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>One line: the probe child's result travels as a single marked line.</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };
}
