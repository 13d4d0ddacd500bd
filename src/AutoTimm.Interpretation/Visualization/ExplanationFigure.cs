using System.Globalization;
using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// The figure of one explanation, <c>original | heatmap | overlay</c>, as PNG: what <c>explain_prediction</c> and
/// <c>visualize_batch</c> save.
/// </summary>
/// <remarks>
/// <para>
/// Layout, left to right: the image, the colour-mapped heatmap with a vertical colorbar (ticks 0, 0.5, 1) beside
/// it, and the heatmap blended over the image (<see cref="Overlay"/>), each under a panel title, on white. Above
/// them a title names the predicted class and its confidence, the class explained, the method and the layer, e.g.
/// <c>Predicted: Sneaker (92.4%) · explaining: Sneaker · Grad-CAM @ layer4</c>.
/// </para>
/// <para>
/// Panels are shown at the image's size, enlarged or reduced (aspect kept) so their longer side lies in
/// [<see cref="FigureOptions.MinPanelSize"/>, <see cref="FigureOptions.MaxPanelSize"/>]; the heatmap is resampled
/// to that size before colouring. A heatmap of another size than the image (the model input's, say) is stretched
/// to it. Inputs are plain data, so figures can be drawn for explanations computed anywhere.
/// </para>
/// </remarks>
public static class ExplanationFigure
{
    /// <summary>Draws the figure.</summary>
    /// <param name="image">The image explained, ideally the display image aligned with the model input.</param>
    /// <param name="heatmap">Its explanation.</param>
    /// <param name="options">Colours, sizes, class names; null for defaults.</param>
    /// <returns>The figure as an RGB image.</returns>
    /// <exception cref="ArgumentException">An option is out of range or names an unknown colormap.</exception>
    public static RgbImage Render(RgbImage image, Heatmap heatmap, FigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(heatmap);
        options ??= FigureOptions.Default;
        options.Validate();

        var (pw, ph) = FigurePanels.DisplaySize(image.Width, image.Height, options);
        var colorbar = options.ShowColorbar ? FigureStyle.ColorbarBlockWidth : 0;
        var width = (2 * FigureStyle.Margin) + (3 * pw) + (2 * FigureStyle.PanelGap) + colorbar;
        var titleLines = FigurePanels.TitleLines(options, FigureText.TitleParts(heatmap, options, withMethod: true), width - (2 * FigureStyle.Margin));
        var imageTop = FigureStyle.Margin + FigurePanels.TitleHeight(titleLines.Count) + FigureStyle.PanelTitleHeight;
        var height = imageTop + ph + FigureStyle.Margin;

        var original = FigurePanels.DisplayImage(image, (pw, ph), options);
        var (colored, overlay) = FigurePanels.Render(original, heatmap, options);
        using var canvas = new FigureCanvas(width, height);
        FigurePanels.DrawTitle(canvas, titleLines);

        var x = FigureStyle.Margin;
        canvas.DrawImage(original, x, imageTop);
        FigurePanels.DrawPanelTitle(canvas, "Original", x, pw, imageTop);

        x += pw + FigureStyle.PanelGap;
        canvas.DrawImage(colored, x, imageTop);
        FigurePanels.DrawPanelTitle(canvas, "Heatmap", x, pw, imageTop);
        if (options.ShowColorbar)
            canvas.DrawColorbar(Colormaps.Get(options.Colormap), x + pw + FigureStyle.ColorbarGap, imageTop, FigureStyle.ColorbarWidth, ph);

        x += pw + colorbar + FigureStyle.PanelGap;
        canvas.DrawImage(overlay, x, imageTop);
        FigurePanels.DrawPanelTitle(canvas, "Overlay", x, pw, imageTop);
        FigurePanels.DrawBoxes(canvas, options, heatmap, FigureStyle.Margin, imageTop, pw, ph);
        FigurePanels.DrawBoxes(canvas, options, heatmap, x, imageTop, pw, ph);
        return canvas.ToImage();
    }

    /// <summary>Draws the figure and writes it as PNG to <paramref name="path"/> atomically (see <see cref="ImageIO.SavePng"/>).</summary>
    /// <param name="image">The image explained.</param>
    /// <param name="heatmap">Its explanation.</param>
    /// <param name="path">The PNG file to write; its directory must exist.</param>
    /// <param name="options">Colours, sizes, class names; null for defaults.</param>
    /// <returns>The figure as an RGB image.</returns>
    public static RgbImage Save(RgbImage image, Heatmap heatmap, string path, FigureOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var figure = Render(image, heatmap, options);
        ImageIO.SavePng(figure, path);
        return figure;
    }

    /// <summary>
    /// One figure per image, written to <paramref name="outputDirectory"/> (created if needed) as
    /// <c>{name}_class{predicted}.png</c>, or <c>{name}_explanation.png</c> when <paramref name="includePrediction"/>
    /// is false, as the Python AutoTimm's <c>visualize_batch</c>.
    /// </summary>
    /// <param name="images">The images explained.</param>
    /// <param name="heatmaps">One explanation per image, in the same order.</param>
    /// <param name="outputDirectory">Where to write the figures.</param>
    /// <param name="options">Colours, sizes, class names; null for defaults.</param>
    /// <param name="names">File name stem per image (e.g. the source file's); null for <c>image_0000</c>, <c>image_0001</c>, ...</param>
    /// <param name="includePrediction">Put the predicted class in file names.</param>
    /// <returns>The written paths, in image order.</returns>
    /// <exception cref="ArgumentException">The lists differ in length, or a name is empty, not a plain file name, or repeated.</exception>
    public static IReadOnlyList<string> SaveBatch(
        IReadOnlyList<RgbImage> images,
        IReadOnlyList<Heatmap> heatmaps,
        string outputDirectory,
        FigureOptions? options = null,
        IReadOnlyList<string>? names = null,
        bool includePrediction = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(heatmaps);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        if (images.Count != heatmaps.Count)
            throw new ArgumentException($"Got {images.Count} images but {heatmaps.Count} heatmaps; pass one heatmap per image.", nameof(heatmaps));
        if (names is not null && names.Count != images.Count)
            throw new ArgumentException($"Got {images.Count} images but {names.Count} names; pass one name per image.", nameof(names));
        options ??= FigureOptions.Default;
        options.Validate();

        var files = new string[images.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < images.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(images[i], $"{nameof(images)}[{i}]");
            ArgumentNullException.ThrowIfNull(heatmaps[i], $"{nameof(heatmaps)}[{i}]");
            var stem = names is null ? "image_" + i.ToString("D4", CultureInfo.InvariantCulture) : names[i];
            if (string.IsNullOrWhiteSpace(stem) || stem.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || stem is "." or "..")
                throw new ArgumentException($"Name {i} ('{stem}') is not a plain file name.", nameof(names));
            files[i] = includePrediction && heatmaps[i].Prediction is Engine.ClassPrediction prediction
                ? $"{stem}_class{prediction.PredictedClass.ToString(CultureInfo.InvariantCulture)}.png"
                : $"{stem}_explanation.png";
            if (!seen.Add(files[i]))
                throw new ArgumentException($"Two images would both be written to {files[i]}; give them distinct names.", nameof(names));
        }

        Directory.CreateDirectory(outputDirectory);
        var paths = new string[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            paths[i] = Path.Combine(outputDirectory, files[i]);
            Save(images[i], heatmaps[i], paths[i], options);
        }
        return paths;
    }
}
