using Spectre.Console;

namespace AutoTimm.Cli;

/// <summary>
/// Shows the library's <see cref="WorkProgress"/> on standard error: a live bar per stage when standard error is a
/// terminal (also when standard output goes to a file), one line per finished stage otherwise (logs, CI).
/// </summary>
internal static class CliProgress
{
    /// <summary>Runs <paramref name="work"/> with a progress reporter for its duration.</summary>
    public static T Run<T>(Func<IProgress<WorkProgress>, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected || !console.Profile.Capabilities.Interactive)
            return work(new LineProgress(Console.Error));
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context => result = work(new LiveProgress(context)));
        return result;
    }

    private sealed class LiveProgress(ProgressContext context) : IProgress<WorkProgress>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(WorkProgress value)
        {
            lock (_tasks)
            {
                if (!_tasks.TryGetValue(value.Stage, out var task))
                    _tasks[value.Stage] = task = context.AddTask(Markup.Escape(value.Stage), maxValue: Math.Max(1, value.Total));
                task.MaxValue = Math.Max(1, value.Total);
                task.Value = value.Done;
                task.Description = Markup.Escape(value.Detail is null ? value.Stage : $"{value.Stage}: {value.Detail}");
                if (value.Finished) task.StopTask();
            }
        }
    }

    private sealed class LineProgress(TextWriter writer) : IProgress<WorkProgress>
    {
        private readonly HashSet<string> _finished = [];

        public void Report(WorkProgress value)
        {
            lock (_finished)
            {
                if (!value.Finished || !_finished.Add(value.Stage)) return;
                writer.WriteLine(value.Detail is null ? value.Stage : $"{value.Stage}: {value.Detail}");
            }
        }
    }
}
