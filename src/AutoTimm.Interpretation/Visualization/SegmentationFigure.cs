using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// The figure of a segmentation explanation: <c>original | predicted mask | explanation | uncertainty</c>, as PNG.
/// The mask panel tints each predicted object class in its own colour over the image (background untinted); the
/// explanation panel blends the heatmap over the image as <see cref="ExplanationFigure"/> does; the uncertainty panel
/// shows the per-pixel uncertainty in [0, 1] with the <c>magma</c> colormap and its own colorbar.
/// </summary>
public static class SegmentationFigure
{
    private const double MaskAlpha = 0.55;

    /// <summary>Draws the figure.</summary>
    /// <param name="image">The display image aligned with the model input.</param>
    /// <param name="mask">Predicted class per pixel, row-major at the heatmap's size.</param>
    /// <param name="heatmap">The explanation of one class.</param>
    /// <param name="uncertainty">Per-pixel uncertainty in [0, 1] at the heatmap's size, or null to leave the panel out.</param>
    /// <param name="options">Colours, sizes, class names.</param>
    public static RgbImage Render(RgbImage image, IReadOnlyList<int> mask, Heatmap heatmap, float[]? uncertainty, FigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(heatmap);
        options ??= FigureOptions.Default;
        options.Validate();
        if (mask.Count != heatmap.Width * heatmap.Height)
            throw new ArgumentException($"the mask has {mask.Count} values; the heatmap is {heatmap.Width}x{heatmap.Height}", nameof(mask));
        if (uncertainty is not null && uncertainty.Length != mask.Count)
            throw new ArgumentException($"the uncertainty map has {uncertainty.Length} values, expected {mask.Count}", nameof(uncertainty));

        var (pw, ph) = FigurePanels.DisplaySize(image.Width, image.Height, options);
        int panels = uncertainty is null ? 3 : 4;
        var colorbar = options.ShowColorbar ? FigureStyle.ColorbarBlockWidth : 0;
        var width = (2 * FigureStyle.Margin) + (panels * pw) + ((panels - 1) * FigureStyle.PanelGap) + colorbar * (uncertainty is null ? 1 : 2);
        var titleLines = FigurePanels.TitleLines(options, FigureText.TitleParts(heatmap, options, withMethod: true), width - (2 * FigureStyle.Margin));
        var imageTop = FigureStyle.Margin + FigurePanels.TitleHeight(titleLines.Count) + FigureStyle.PanelTitleHeight;
        var height = imageTop + ph + FigureStyle.Margin;

        var original = FigurePanels.DisplayImage(image, (pw, ph), options);
        var (_, overlay) = FigurePanels.Render(original, heatmap, options);
        using var canvas = new FigureCanvas(width, height);
        FigurePanels.DrawTitle(canvas, titleLines);

        var x = FigureStyle.Margin;
        canvas.DrawImage(original, x, imageTop);
        FigurePanels.DrawPanelTitle(canvas, "Original", x, pw, imageTop);

        x += pw + FigureStyle.PanelGap;
        canvas.DrawImage(MaskOverlay(original, mask, heatmap.Width, heatmap.Height), x, imageTop);
        FigurePanels.DrawPanelTitle(canvas, "Predicted mask", x, pw, imageTop);

        x += pw + FigureStyle.PanelGap;
        canvas.DrawImage(overlay, x, imageTop);
        FigurePanels.DrawPanelTitle(canvas, "Explanation", x, pw, imageTop);
        if (options.ShowColorbar)
            canvas.DrawColorbar(Colormaps.Get(options.Colormap), x + pw + FigureStyle.ColorbarGap, imageTop, FigureStyle.ColorbarWidth, ph);

        if (uncertainty is not null)
        {
            x += pw + colorbar + FigureStyle.PanelGap;
            var resized = MapResampler.Bilinear(uncertainty, heatmap.Width, heatmap.Height, pw, ph);
            canvas.DrawImage(Colormaps.Apply(resized, pw, ph, "magma"), x, imageTop);
            FigurePanels.DrawPanelTitle(canvas, "Uncertainty", x, pw, imageTop);
            if (options.ShowColorbar)
                canvas.DrawColorbar(Colormaps.Get("magma"), x + pw + FigureStyle.ColorbarGap, imageTop, FigureStyle.ColorbarWidth, ph);
        }
        return canvas.ToImage();
    }

    /// <summary>Draws the figure and writes it as PNG atomically.</summary>
    public static RgbImage Save(RgbImage image, IReadOnlyList<int> mask, Heatmap heatmap, float[]? uncertainty, string path, FigureOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var figure = Render(image, mask, heatmap, uncertainty, options);
        ImageIO.SavePng(figure, path);
        return figure;
    }

    /// <summary>The image with object classes tinted (nearest-neighbour mask at the panel size).</summary>
    private static RgbImage MaskOverlay(RgbImage panel, IReadOnlyList<int> mask, int maskWidth, int maskHeight)
    {
        var pixels = panel.ToArray();
        return RgbImage.Create(panel.Width, panel.Height, (px, py) =>
        {
            int mx = Math.Min(maskWidth - 1, px * maskWidth / panel.Width), my = Math.Min(maskHeight - 1, py * maskHeight / panel.Height);
            int c = mask[my * maskWidth + mx], o = 3 * (py * panel.Width + px);
            var (r, g, b) = (pixels[o], pixels[o + 1], pixels[o + 2]);
            if (c <= 0) return new Rgb(r, g, b);
            var tint = FigureStyle.BoxColors[(c - 1) % FigureStyle.BoxColors.Length];
            static byte Mix(byte a, byte t) => (byte)Math.Round((1 - MaskAlpha) * a + MaskAlpha * t);
            return new Rgb(Mix(r, tint.Red), Mix(g, tint.Green), Mix(b, tint.Blue));
        });
    }
}
