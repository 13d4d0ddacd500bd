using System.CommandLine;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Cli.Commands;

/// <summary>Options every verb that draws overlays shares: <c>--colormap</c> and <c>--alpha</c>.</summary>
internal sealed class FigureFlags
{
    public FigureFlags()
    {
        Colormap.AcceptOnlyFromAmong([.. Colormaps.Names, .. Colormaps.Names.Select(n => n + "_r")]);
        Alpha.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<double>();
            if (!(value >= 0 && value <= 1)) result.AddError($"--alpha {value} is outside 0..1; give the heatmap opacity, e.g. 0.4");
        });
    }

    public Option<string> Colormap { get; } = new("--colormap")
    {
        Description = $"Colormap of the figures: {string.Join(", ", Colormaps.Names)} (append _r to reverse one)",
        HelpName = "name",
        DefaultValueFactory = _ => "viridis",
    };

    public Option<double> Alpha { get; } = new("--alpha") { Description = "Heatmap opacity in overlays, 0..1", DefaultValueFactory = _ => 0.4 };
}
