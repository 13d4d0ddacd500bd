using SkiaSharp;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>Sizes (pixels) and colours shared by every figure, so figures line up with one another.</summary>
internal static class FigureStyle
{
    public const int Margin = 20;
    public const int PanelGap = 20;
    public const int RowGap = 12;

    /// <summary>Height of one figure-title line, and the space left under the title block.</summary>
    public const int TitleLineHeight = 26;
    public const int TitleBottomPadding = 10;
    public const float TitleSize = 17f;
    public const float TitleMinSize = 11f;

    public const int PanelTitleHeight = 26;
    public const float PanelTitleSize = 14f;
    public const float PanelTitleMinSize = 9f;

    public const int ColorbarGap = 12;
    public const int ColorbarWidth = 14;
    public const int TickLength = 4;
    public const int TickLabelGap = 4;
    public const int TickLabelWidth = 28;
    public const float TickLabelSize = 12f;

    /// <summary>Horizontal space a colorbar takes beside a panel: gap, bar, ticks and labels.</summary>
    public const int ColorbarBlockWidth = ColorbarGap + ColorbarWidth + TickLength + TickLabelGap + TickLabelWidth;

    public static readonly SKColor Background = SKColors.White;
    public static readonly SKColor TitleColor = new(0x1A, 0x1A, 0x1A);
    public static readonly SKColor PanelTitleColor = new(0x33, 0x33, 0x33);
    public static readonly SKColor AxisColor = new(0x44, 0x44, 0x44);

    public const float BoxCaptionSize = 12f;

    /// <summary>Box outline colours, in turn (Tableau 10: distinct on photographs and on heatmaps).</summary>
    public static readonly SKColor[] BoxColors =
    [
        new(0xE1, 0x57, 0x59), new(0x4E, 0x79, 0xA7), new(0xF2, 0x8E, 0x2B), new(0x59, 0xA1, 0x4F), new(0xB0, 0x7A, 0xA1),
        new(0x76, 0xB7, 0xB2), new(0xED, 0xC9, 0x48), new(0xFF, 0x9D, 0xA7), new(0x9C, 0x75, 0x5F), new(0xBA, 0xB0, 0xAC),
    ];
}
