using Spectre.Console;

namespace AutoTimm.Training;

/// <summary>
/// Progress of a fit on standard error: a live bar with loss and throughput on a terminal, one summary line per
/// epoch otherwise (logs, CI).
/// </summary>
internal sealed class TrainingProgress
{
    private readonly IAnsiConsole _console;
    private readonly bool _enabled;

    public TrainingProgress(bool enabled)
    {
        _enabled = enabled;
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    }

    private bool Live => _enabled && _console.Profile.Capabilities.Interactive && !Console.IsErrorRedirected;

    /// <summary>Runs the training loop, giving it a reporter for the current epoch.</summary>
    public void Run(Action<Func<int, int, IEpochReporter>> loop)
    {
        if (!Live)
        {
            loop((epoch, batches) => new LineReporter(_enabled ? Console.Error : TextWriter.Null, epoch));
            return;
        }
        _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => loop((epoch, batches) => new LiveReporter(ctx.AddTask($"epoch {epoch + 1}", maxValue: Math.Max(1, batches)))));
    }

    internal interface IEpochReporter
    {
        void Batch(double loss, double imagesPerSecond);
        void Done(string summary);
    }

    private sealed class LiveReporter(ProgressTask task) : IEpochReporter
    {
        public void Batch(double loss, double imagesPerSecond)
        {
            task.Description = $"epoch {task.Description.Split(' ')[1]} loss {loss:F4} {imagesPerSecond:F0} img/s";
            task.Increment(1);
        }

        public void Done(string summary)
        {
            task.Value = task.MaxValue;
            task.Description = Markup.Escape(summary);
            task.StopTask();
        }
    }

    private sealed class LineReporter(TextWriter writer, int epoch) : IEpochReporter
    {
        public void Batch(double loss, double imagesPerSecond) { }

        public void Done(string summary) => writer.WriteLine($"epoch {epoch + 1}: {summary}");
    }
}
