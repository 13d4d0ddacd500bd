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

    private static int RunVerbs(string[] args)
    {
        {
            var root = new RootCommand("AutoTimm.NET: explain, train and evaluate image models. Every verb prints one JSON object on stdout; logs go to stderr.");
            root.Subcommands.Add(PredictCommand.Create());
            root.Subcommands.Add(InterpretCommand.Create());
            root.Subcommands.Add(TrainCommand.Create());
            root.Subcommands.Add(EvaluateCommand.Create());
            root.Subcommands.Add(CanvasesCommand.Create());
            root.Subcommands.Add(DoctorCommand.Create());
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
            {
                return CliOutput.Error(string.Join("; ", parse.Errors.Select(e => e.Message)),
                    new Dictionary<string, object?> { ["usage"] = $"autotimm {parse.CommandResult.Command.Name} --help" });
            }
            return parse.Invoke(new InvocationConfiguration { Output = CliOutput.Out });
        }
    }
}
