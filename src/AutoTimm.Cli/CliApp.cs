using System.CommandLine;
using AutoTimm.Cli.Commands;

namespace AutoTimm.Cli;

/// <summary>The <c>autotimm</c> command line: verbs, parsing, and the JSON contract for errors.</summary>
public static class CliApp
{
    /// <summary>Runs the CLI; the JSON result goes to <paramref name="stdout"/>. Returns the exit code.</summary>
    public static int Run(string[] args, TextWriter? stdout = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var previous = CliOutput.Out;
        CliOutput.Out = stdout ?? Console.Out;
        try
        {
            return RunVerbs(args);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Failures outside a verb's body (e.g. the native runtime failing to load while commands are built).
            return CliOutput.Error(e);
        }
        finally
        {
            CliOutput.Out = previous;
        }
    }

    /// <summary>Exit code of a usage error: an unknown verb or option, or an invalid value, found before any work.</summary>
    public const int UsageError = 2;

    private static int RunVerbs(string[] args)
    {
        var root = new RootCommand("AutoTimm.NET: explain, train and evaluate image models. Every verb prints one JSON object on stdout; logs go to stderr.");
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(InterpretCommand.Create());
        root.Subcommands.Add(ExplainBatchCommand.Create());
        root.Subcommands.Add(MergeManifestsCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(EvaluateExplanationsCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(CanvasesCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        var parse = root.Parse(args);
        if (parse.Action is System.CommandLine.Help.HelpAction)
            return parse.Invoke(new InvocationConfiguration { Output = CliOutput.Out });
        if (parse.CommandResult.Command == root)
        {
            // No verb, or an unknown one: help on stderr, and the error as JSON.
            parse.RootCommandResult.Command.Parse("--help").Invoke(new InvocationConfiguration { Output = Console.Error });
            var message = args.Length == 0 ? "no verb given" : string.Join("; ", parse.Errors.Select(e => e.Message).DefaultIfEmpty($"unknown verb '{args[0]}'"));
            return CliOutput.Error(message, new Dictionary<string, object?> { ["usage"] = "autotimm --help" }, UsageError);
        }
        if (parse.Errors.Count > 0)
        {
            return CliOutput.Error(string.Join("; ", parse.Errors.Select(e => e.Message)),
                new Dictionary<string, object?> { ["usage"] = $"autotimm {parse.CommandResult.Command.Name} --help" }, UsageError);
        }
        return parse.Invoke(new InvocationConfiguration { Output = CliOutput.Out });
    }
}
