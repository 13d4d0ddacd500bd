using System.Text.Json;
using AutoTimm.Diagnostics;

namespace AutoTimm.Tests.Diagnostics;

public sealed class PerformanceProfilerTests
{
    [Fact]
    public void Should_summarize_each_stage_by_count_mean_sample_std_min_and_max_in_pipeline_order()
    {
        var profiler = new PerformanceProfiler();
        foreach (var ms in new[] { 2.0, 4.0, 9.0 }) profiler.Add("write", ms);
        profiler.Add("decode", 1.5);
        profiler.Add("custom", 3);
        var write = profiler.Summary["write"];
        // mean 5, deviations -3, -1, 4: sample variance (9 + 1 + 16) / 2 = 13.
        Assert.Equal((3L, 15.0, 5.0, 2.0, 9.0), (write.Count, write.TotalMs, write.MeanMs, write.MinMs, write.MaxMs));
        Assert.Equal(Math.Sqrt(13), write.StdMs, 12);
        Assert.Equal(0, profiler.Summary["decode"].StdMs);
        Assert.Equal(["decode", "write", "custom"], profiler.Summary.Keys);
        Assert.Equal(15.0, profiler.TotalsMs["write"]);
    }

    [Fact]
    public void Should_write_a_chrome_trace_with_one_complete_event_per_span_and_thread()
    {
        var profiler = new PerformanceProfiler { RecordTrace = true };
        using (profiler.Measure("forward")) Thread.Sleep(5);
        var other = new Thread(() => { using (profiler.Measure("render")) Thread.Sleep(2); });
        other.Start();
        other.Join();
        var path = Path.Combine(Path.GetTempPath(), $"trace-{Guid.NewGuid():N}.json");
        try
        {
            profiler.WriteChromeTrace(path);
            using var trace = JsonDocument.Parse(File.ReadAllText(path));
            var events = trace.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
            Assert.Equal(["forward", "render"], events.Select(e => e.GetProperty("name").GetString()));
            Assert.All(events, e => Assert.Equal("X", e.GetProperty("ph").GetString()));
            Assert.True(events[0].GetProperty("dur").GetDouble() >= 5000);
            Assert.True(events[1].GetProperty("ts").GetDouble() >= events[0].GetProperty("ts").GetDouble() + events[0].GetProperty("dur").GetDouble());
            Assert.NotEqual(events[0].GetProperty("tid").GetInt32(), events[1].GetProperty("tid").GetInt32());
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<InvalidOperationException>(() => new PerformanceProfiler().WriteChromeTrace(path));
    }
}
