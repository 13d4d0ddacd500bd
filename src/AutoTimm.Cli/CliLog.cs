using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace AutoTimm.Cli;

/// <summary>The CLI's log: the library's warnings and summaries on standard error, one line each.</summary>
internal static class CliLog
{
    /// <summary>A logger factory writing to standard error; dispose it to flush.</summary>
    public static ILoggerFactory Create() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        }));
}
