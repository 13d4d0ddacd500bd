using System.Diagnostics;
using System.Text.Json;

namespace AutoTimm.Diagnostics;

/// <summary>
/// Wall time per stage of a run (decode, preprocess, forward, backward, postprocess, render, write): each measured
/// span adds to its stage's count, mean, standard deviation, minimum and maximum, and, when
/// <see cref="RecordTrace"/> is set, to a Chrome trace-event file (<see cref="WriteChromeTrace"/>) that opens in
/// chrome://tracing or Perfetto with one row per thread. Safe to use from several threads at once.
/// </summary>
public sealed class PerformanceProfiler
{
    /// <summary>Stage names the library uses, in pipeline order.</summary>
    public static IReadOnlyList<string> Stages => StageOrder;

    private static readonly string[] StageOrder = ["decode", "preprocess", "forward", "backward", "postprocess", "render", "write"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Accumulator> _stages = new(StringComparer.Ordinal);
    private readonly List<TraceEvent> _trace = [];
    private readonly long _origin = Stopwatch.GetTimestamp();

    /// <summary>Whether spans are also kept for <see cref="WriteChromeTrace"/> (a few dozen bytes each).</summary>
    public bool RecordTrace { get; init; }

    /// <summary>Measures a span of <paramref name="stage"/> until the returned scope is disposed.</summary>
    public Span Measure(string stage)
    {
        ArgumentException.ThrowIfNullOrEmpty(stage);
        return new Span(this, stage, Stopwatch.GetTimestamp());
    }

    /// <summary>A span of <paramref name="stage"/> on <paramref name="profiler"/>, or a span that records nothing when it is null.</summary>
    public static Span Measure(PerformanceProfiler? profiler, string stage) => profiler?.Measure(stage) ?? default;

    /// <summary>Adds a span measured elsewhere: <paramref name="milliseconds"/> of <paramref name="stage"/>.</summary>
    public void Add(string stage, double milliseconds)
    {
        ArgumentException.ThrowIfNullOrEmpty(stage);
        lock (_gate) Stage(stage).Add(milliseconds);
    }

    /// <summary>Every stage measured so far, in pipeline order, then other stages by name.</summary>
    public IReadOnlyDictionary<string, StageTimings> Summary
    {
        get
        {
            lock (_gate)
            {
                return _stages.OrderBy(kv => Array.IndexOf(StageOrder, kv.Key) is var i and >= 0 ? i : int.MaxValue).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                    .ToDictionary(kv => kv.Key, kv => kv.Value.ToTimings());
            }
        }
    }

    /// <summary>Total milliseconds per stage, rounded to 0.1 ms: the CLI's <c>timings_ms</c>.</summary>
    public IReadOnlyDictionary<string, double> TotalsMs => Summary.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value.TotalMs, 1));

    /// <summary>A table of the summary, one line per stage, for logs.</summary>
    public override string ToString()
    {
        var lines = Summary.Select(kv =>
            $"{kv.Key,-12} n={kv.Value.Count,-6} mean={kv.Value.MeanMs,9:F2} ms  std={kv.Value.StdMs,8:F2}  min={kv.Value.MinMs,8:F2}  max={kv.Value.MaxMs,8:F2}  total={kv.Value.TotalMs,10:F1} ms");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// Writes the spans as Chrome trace-event JSON (complete events, microseconds since the profiler started), atomically.
    /// </summary>
    /// <exception cref="InvalidOperationException">The profiler does not record a trace.</exception>
    public void WriteChromeTrace(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!RecordTrace) throw new InvalidOperationException("this profiler was created without RecordTrace, so it kept no spans to write");
        TraceEvent[] events;
        lock (_gate) events = [.. _trace];
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteString("displayTimeUnit", "ms");
            json.WriteStartArray("traceEvents");
            foreach (var e in events)
            {
                json.WriteStartObject();
                json.WriteString("name", e.Stage);
                json.WriteString("cat", "autotimm");
                json.WriteString("ph", "X");
                json.WriteNumber("ts", Math.Round(e.StartUs, 1));
                json.WriteNumber("dur", Math.Round(e.DurationUs, 1));
                json.WriteNumber("pid", Environment.ProcessId);
                json.WriteNumber("tid", e.Thread);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private void End(string stage, long start)
    {
        long end = Stopwatch.GetTimestamp();
        double ms = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
        lock (_gate)
        {
            Stage(stage).Add(ms);
            if (RecordTrace)
                _trace.Add(new TraceEvent(stage, Stopwatch.GetElapsedTime(_origin, start).TotalMicroseconds, ms * 1000, Environment.CurrentManagedThreadId));
        }
    }

    private Accumulator Stage(string stage)
    {
        if (!_stages.TryGetValue(stage, out var accumulator)) _stages[stage] = accumulator = new Accumulator();
        return accumulator;
    }

    /// <summary>A span being measured; disposing it records it.</summary>
    public readonly struct Span : IDisposable
    {
        private readonly PerformanceProfiler? _owner;
        private readonly string _stage;
        private readonly long _start;

        internal Span(PerformanceProfiler owner, string stage, long start) => (_owner, _stage, _start) = (owner, stage, start);

        /// <summary>Records the span.</summary>
        public void Dispose() => _owner?.End(_stage, _start);
    }

    private readonly record struct TraceEvent(string Stage, double StartUs, double DurationUs, int Thread);

    // Welford's running mean and variance: stable for long runs.
    private sealed class Accumulator
    {
        private long _count;
        private double _mean, _m2, _total, _min = double.PositiveInfinity, _max = double.NegativeInfinity;

        public void Add(double ms)
        {
            _count++;
            double delta = ms - _mean;
            _mean += delta / _count;
            _m2 += delta * (ms - _mean);
            _total += ms;
            _min = Math.Min(_min, ms);
            _max = Math.Max(_max, ms);
        }

        public StageTimings ToTimings() => new(_count, _total, _mean, _count > 1 ? Math.Sqrt(_m2 / (_count - 1)) : 0, _min, _max);
    }
}

/// <summary>One stage's timings, in milliseconds.</summary>
/// <param name="Count">Spans measured.</param>
/// <param name="TotalMs">Sum of the spans.</param>
/// <param name="MeanMs">Mean span.</param>
/// <param name="StdMs">Sample standard deviation (0 for one span).</param>
/// <param name="MinMs">Shortest span.</param>
/// <param name="MaxMs">Longest span.</param>
public sealed record StageTimings(long Count, double TotalMs, double MeanMs, double StdMs, double MinMs, double MaxMs);
