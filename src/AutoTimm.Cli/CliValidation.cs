using System.CommandLine.Parsing;

namespace AutoTimm.Cli;

/// <summary>Parse-time checks of option values (a usage error, exit 2, before any work).</summary>
internal static class CliValidation
{
    /// <summary>A validator body: the option's integer value (when given) lies in <paramref name="min"/>..<paramref name="max"/>.</summary>
    internal static void InRange(OptionResult result, string name, int min, int max)
    {
        int? given = result.Option.ValueType == typeof(int?) ? result.GetValueOrDefault<int?>() : result.GetValueOrDefault<int>();
        if (given is not { } value) return;
        if (value < min || value > max) result.AddError($"{name} {value} is outside {min}..{max}");
    }
}
