using SkiaSharp;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// Gives ScottPlot the embedded DejaVu Sans typefaces of <see cref="FigureFonts"/> for every font it asks for: with
/// SkiaSharp's NoDependencies native there are no system fonts to fall back on, and charts should look the same on
/// every machine.
/// </summary>
internal sealed class PlotFonts : ScottPlot.IFontResolver
{
    private static readonly Lazy<bool> Installed = new(() =>
    {
        ScottPlot.Fonts.FontResolvers.Insert(0, new PlotFonts());
        ScottPlot.Fonts.Default = "DejaVu Sans";
        return true;
    });

    /// <summary>Registers the resolver once per process.</summary>
    public static void Install() => _ = Installed.Value;

    public SKTypeface CreateTypeface(string fontName, bool bold, bool italic) => Copy(bold ? FigureFonts.Bold : FigureFonts.Regular);

    public SKTypeface CreateTypeface(string fontName, ScottPlot.FontWeight weight, ScottPlot.FontSlant slant, ScottPlot.FontSpacing width) =>
        Copy((int)weight >= (int)ScottPlot.FontWeight.SemiBold ? FigureFonts.Bold : FigureFonts.Regular);

    // ScottPlot disposes the typefaces it is given; the shared ones must survive that.
    private static SKTypeface Copy(SKTypeface face)
    {
        using var stream = face.OpenStream();
        var data = new byte[stream.Length];
        stream.Read(data, data.Length);
        return SKTypeface.FromData(SKData.CreateCopy(data));
    }
}
