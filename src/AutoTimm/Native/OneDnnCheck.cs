namespace AutoTimm.Native;

/// <summary>
/// One convolution pass checked by the oneDNN probe: float32 against float64, judged by the rounding-error bound of
/// its dot products (<see cref="BoundRatio"/> at most 1 is correct; a wrong kernel gives ratios far above it).
/// </summary>
/// <param name="Case">The convolution, e.g. "1x1/2 256->512 @16".</param>
/// <param name="Layout">"NCHW" or "NHWC".</param>
/// <param name="Pass">"forward", "input gradient" or "weight gradient".</param>
/// <param name="DotLength">Terms per output element, the n of the bound.</param>
/// <param name="BoundRatio">Largest ratio of an element's error to its bound.</param>
/// <param name="RelativeError">Relative L2 error against float64.</param>
public sealed record OneDnnCheck(string Case, string Layout, string Pass, long DotLength, double BoundRatio, double RelativeError)
{
    /// <summary>Within the rounding-error bound.</summary>
    public bool Passed => BoundRatio <= 1;
}

/// <summary>The probe's measurements at one oneDNN ISA cap.</summary>
/// <param name="Isa">The cap (a value of <c>ONEDNN_MAX_CPU_ISA</c>), or "native" for none.</param>
/// <param name="Passed">Every check within its bound.</param>
/// <param name="Seconds">Wall time of the child process that measured it.</param>
/// <param name="Checks">Every check, or empty when the child failed.</param>
/// <param name="Failure">Why the child could not measure, or null.</param>
public sealed record OneDnnCandidate(string Isa, bool Passed, double Seconds, IReadOnlyList<OneDnnCheck> Checks, string? Failure = null)
{
    /// <summary>The check with the largest bound ratio, or null.</summary>
    public OneDnnCheck? Worst => Checks.MaxBy(c => c.BoundRatio);
}
