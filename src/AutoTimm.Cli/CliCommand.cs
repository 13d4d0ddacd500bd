using System.CommandLine;

namespace AutoTimm.Cli;

/// <summary>Runs a verb's body, turning any failure into the JSON error contract (exit 1).</summary>
internal static class CliCommand
{
    public static void SetJsonAction(this Command command, Func<ParseResult, object> body)
    {
        command.SetAction(parse =>
        {
            try
            {
                return CliOutput.Success(body(parse));
            }
            catch (CliFailure failure)
            {
                return CliOutput.Error(failure.Message, failure.Details);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return CliOutput.Error(e);
            }
        });
    }
}
