using AutoTimm.Imaging;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Tests.Visualization;

public sealed class ExplanationFigureTests
{
    // Layout of a default figure of a 64x64 image: panels enlarged to 256x256; margins 20, gaps 20, a one-line
    // title block of 26 + 10, panel titles 26 high, a colorbar block of 62 (gap 12, bar 14, ticks, labels).
    private const int ImageTop = 20 + 36 + 26;
    private const int OriginalX = 20;
    private const int HeatmapX = OriginalX + 256 + 20;
    private const int ColorbarX = HeatmapX + 256 + 12;
    private const int OverlayX = HeatmapX + 256 + 62 + 20;

    private static readonly FigureOptions Labeled = new() { ClassNames = VisualizationFixtures.FashionClasses };

    [Theory]
    [InlineData(64, 64, 910, 358)]    // enlarged to 256x256: 3*256 + 2*20 + 62 + 2*20 wide, 256 + 20 + 36 + 26 + 20 high
    [InlineData(100, 50, 910, 230)]   // enlarged to 256x128
    [InlineData(300, 200, 1042, 302)] // within [256, 512]: shown as is
    [InlineData(1000, 600, 1678, 409)] // reduced to 512x307
    public void Should_size_the_figure_from_the_displayed_panel_size(int width, int height, int figureWidth, int figureHeight)
    {
        var figure = ExplanationFigure.Render(VisualizationFixtures.Scene(width, height), VisualizationFixtures.Blob(16, 16, 0.5, 0.5, 0.2), Labeled);
        Assert.Equal((figureWidth, figureHeight), (figure.Width, figure.Height));
    }

    [Fact]
    public void Should_leave_out_the_colorbar_and_title_on_request()
    {
        var image = VisualizationFixtures.Scene(64, 64);
        var heatmap = VisualizationFixtures.Blob(64, 64, 0.5, 0.5, 0.2);

        var noColorbar = ExplanationFigure.Render(image, heatmap, Labeled with { ShowColorbar = false });
        var noTitle = ExplanationFigure.Render(image, heatmap, Labeled with { Title = "" });

        Assert.Equal((910 - 62, 358), (noColorbar.Width, noColorbar.Height));
        Assert.Equal((910, 358 - 36), (noTitle.Width, noTitle.Height));
    }

    [Fact]
    public void Should_show_the_image_heatmap_and_overlay_pixel_for_pixel()
    {
        // Given a 64x64 image and heatmap shown with nearest-neighbour enlargement (each pixel a 4x4 block)
        var image = VisualizationFixtures.Scene(64, 64);
        var heatmap = VisualizationFixtures.Blob(64, 64, 0.6, 0.4, 0.15);
        var options = Labeled with { Interpolation = ResizeInterpolation.Nearest, Colormap = "inferno", Alpha = 0.5 };

        // When drawing the figure
        var figure = ExplanationFigure.Render(image, heatmap, options);

        // Then each panel block holds the image, the colour of the heatmap value, and the overlay of both
        var inferno = Colormaps.Get("inferno");
        var overlay = Overlay.Heatmap(image, heatmap, 0.5, "inferno");
        for (var y = 0; y < 64; y += 7)
        {
            for (var x = 0; x < 64; x += 5)
            {
                var (px, py) = ((4 * x) + 2, ImageTop + (4 * y) + 2);
                Assert.Equal(image.GetPixel(x, y), figure.GetPixel(OriginalX + px, py));
                Assert.Equal(inferno.Map(heatmap[y, x]), figure.GetPixel(HeatmapX + px, py));
                Assert.Equal(overlay.GetPixel(x, y), figure.GetPixel(OverlayX + px, py));
            }
        }
    }

    [Fact]
    public void Should_draw_a_colorbar_from_one_at_the_top_to_zero_at_the_bottom()
    {
        var figure = ExplanationFigure.Render(VisualizationFixtures.Scene(64, 64), VisualizationFixtures.Blob(8, 8, 0.5, 0.5, 0.2), Labeled);
        var viridis = Colormaps.Get("viridis");

        // Rows of a 256-high bar sample v = 1 - (row + 0.5) / 256: entries 255, 127 (middle) and 0
        Assert.Equal(viridis[255], figure.GetPixel(ColorbarX + 7, ImageTop));
        Assert.Equal(viridis[127], figure.GetPixel(ColorbarX + 7, ImageTop + 128));
        Assert.Equal(viridis[0], figure.GetPixel(ColorbarX + 7, ImageTop + 255));

        // Outlined one pixel outside the bar, with ticks on the right at 1 (top outline), 0.5 (row 127 of 0..255,
        // y - 1 + round(0.5 * 257) with ties to even) and 0 (bottom outline)
        var axis = new Rgb(0x44, 0x44, 0x44);
        Assert.Equal(axis, figure.GetPixel(ColorbarX - 1, ImageTop + 100));
        Assert.Equal(axis, figure.GetPixel(ColorbarX + 14, ImageTop + 100));
        Assert.Equal(axis, figure.GetPixel(ColorbarX + 7, ImageTop - 1));
        Assert.Equal(axis, figure.GetPixel(ColorbarX + 7, ImageTop + 256));
        Assert.Equal(axis, figure.GetPixel(ColorbarX + 17, ImageTop - 1));
        Assert.Equal(axis, figure.GetPixel(ColorbarX + 17, ImageTop + 127));
        Assert.Equal(axis, figure.GetPixel(ColorbarX + 17, ImageTop + 256));
        Assert.Equal(new Rgb(255, 255, 255), figure.GetPixel(ColorbarX + 17, ImageTop + 100));
    }

    [Fact]
    public void Should_keep_text_inside_the_margins_and_draw_the_title()
    {
        var figure = ExplanationFigure.Render(VisualizationFixtures.Scene(64, 64), VisualizationFixtures.Blob(8, 8, 0.5, 0.5, 0.2), Labeled);
        var white = new Rgb(255, 255, 255);

        for (var x = 0; x < figure.Width; x++)
        {
            for (var y = 0; y < 20; y++) Assert.Equal(white, figure.GetPixel(x, y));
            for (var y = figure.Height - 10; y < figure.Height; y++) Assert.Equal(white, figure.GetPixel(x, y));
        }
        for (var y = 0; y < figure.Height; y++)
        {
            for (var x = 0; x < 20; x++) Assert.Equal(white, figure.GetPixel(x, y));
            for (var x = figure.Width - 20; x < figure.Width; x++) Assert.Equal(white, figure.GetPixel(x, y));
        }

        // The title band and the panel title bands hold dark anti-aliased text
        Assert.True(DarkPixels(figure, 20, 20, figure.Width - 20, 46) > 200);
        Assert.True(DarkPixels(figure, OriginalX, 56, OriginalX + 256, ImageTop) > 50);
    }

    [Fact]
    public void Should_match_the_golden_figure()
    {
        // Given a 32x24 scene explained by an 8x6 blob, shown in 128x96 panels, explaining a class other than the
        // predicted one (the title wraps to three lines in the 486 pixels between the margins)
        var heatmap = VisualizationFixtures.Blob(8, 6, 0.6, 0.45, 0.18, target: 9, predicted: 7);
        var options = Labeled with { MinPanelSize = 128, MaxPanelSize = 128 };

        // When drawing it
        var figure = ExplanationFigure.Render(VisualizationFixtures.Scene(32, 24), heatmap, options);

        // Then it looks as reviewed (tests/fixtures/figures/explanation_small.png), within 2 levels per channel
        Assert.Equal((526, 20 + ((3 * 26) + 10) + 26 + 96 + 20), (figure.Width, figure.Height));
        VisualizationFixtures.AssertMatchesGolden(figure, "explanation_small.png");
    }

    [Fact]
    public void Should_save_the_figure_it_returns()
    {
        using var dir = new ScratchDirectory();
        var path = dir.File("explanation.png");

        var figure = ExplanationFigure.Save(VisualizationFixtures.Scene(40, 30), VisualizationFixtures.Blob(8, 8, 0.5, 0.5, 0.2), path, Labeled);

        Assert.Equal(figure.ToArray(), ImageIO.Load(path).ToArray());
        Assert.Equal(["explanation.png"], dir.Entries());
    }

    [Fact]
    public void Should_save_one_figure_per_image_named_as_visualize_batch()
    {
        using var dir = new ScratchDirectory();
        var output = Path.Combine(dir.Path, "explanations");
        RgbImage[] images = [VisualizationFixtures.Scene(32, 32), VisualizationFixtures.Scene(48, 32)];
        Heatmap[] heatmaps = [VisualizationFixtures.Blob(8, 8, 0.5, 0.5, 0.2, predicted: 7), VisualizationFixtures.Blob(8, 8, 0.3, 0.5, 0.2, predicted: 3)];

        var paths = ExplanationFigure.SaveBatch(images, heatmaps, output, Labeled);
        var named = ExplanationFigure.SaveBatch(images, heatmaps, output, Labeled, names: ["shoe", "dress"], includePrediction: false);

        Assert.Equal([Path.Combine(output, "image_0000_class7.png"), Path.Combine(output, "image_0001_class3.png")], paths);
        Assert.Equal([Path.Combine(output, "shoe_explanation.png"), Path.Combine(output, "dress_explanation.png")], named);
        Assert.Equal(ExplanationFigure.Render(images[1], heatmaps[1], Labeled).ToArray(), ImageIO.Load(paths[1]).ToArray());
        Assert.Equal(4, Directory.GetFiles(output).Length);
    }

    [Fact]
    public void Should_refuse_bad_batches_before_writing_anything()
    {
        using var dir = new ScratchDirectory();
        RgbImage[] images = [VisualizationFixtures.Scene(8, 8), VisualizationFixtures.Scene(8, 8)];
        Heatmap[] heatmaps = [VisualizationFixtures.Blob(4, 4, 0.5, 0.5, 0.2), VisualizationFixtures.Blob(4, 4, 0.5, 0.5, 0.2)];

        Assert.Throws<ArgumentException>(() => ExplanationFigure.SaveBatch(images, heatmaps[..1], dir.Path));
        Assert.Throws<ArgumentException>(() => ExplanationFigure.SaveBatch(images, heatmaps, dir.Path, names: ["a"]));
        Assert.Throws<ArgumentException>(() => ExplanationFigure.SaveBatch(images, heatmaps, dir.Path, names: ["a", "a"]));
        Assert.Throws<ArgumentException>(() => ExplanationFigure.SaveBatch(images, heatmaps, dir.Path, names: ["a", "../b"]));
        Assert.Empty(dir.Entries());
    }

    [Fact]
    public void Should_check_options()
    {
        var image = VisualizationFixtures.Scene(8, 8);
        var heatmap = VisualizationFixtures.Blob(4, 4, 0.5, 0.5, 0.2);
        Assert.Throws<ArgumentException>(() => ExplanationFigure.Render(image, heatmap, new FigureOptions { Colormap = "rainbow" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExplanationFigure.Render(image, heatmap, new FigureOptions { Alpha = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExplanationFigure.Render(image, heatmap, new FigureOptions { MinPanelSize = 300, MaxPanelSize = 200 }));
        Assert.Throws<ArgumentNullException>(() => ExplanationFigure.Render(image, null!));
    }

    private static int DarkPixels(RgbImage image, int left, int top, int right, int bottom)
    {
        var count = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                if (image.GetPixel(x, y).R < 128) count++;
            }
        }
        return count;
    }
}
