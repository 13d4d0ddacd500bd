using AutoTimm.Imaging;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Tests.Visualization;

public sealed class ComparisonFigureTests
{
    private static readonly FigureOptions Labeled = new() { ClassNames = VisualizationFixtures.FashionClasses };

    private static ComparisonEntry[] Entries(int count) =>
        Enumerable.Range(0, count)
            .Select(i => new ComparisonEntry(VisualizationFixtures.Blob(64, 64, 0.2 + (0.15 * i), 0.5, 0.15, method: i % 2 == 0 ? "gradcam" : "gradcampp"), elapsedMilliseconds: 10.0 * (i + 1)))
            .ToArray();

    [Theory]
    [InlineData(FigureLayout.Horizontal, 2, 910, 358)] // 1x3 cells of 256 + 26: 3*256 + 2*20 + 62 + 40 wide; 20 + 36 + 282 + 20 high
    [InlineData(FigureLayout.Grid, 4, 910, 652)]       // 5 panels: 2 rows of 3; 20 + 36 + 2*282 + 12 + 20 high
    [InlineData(FigureLayout.Grid, 3, 634, 652)]       // 4 panels: 2x2
    [InlineData(FigureLayout.Vertical, 2, 358, 972)]   // 3 rows of one 256 column; the title wraps to 2 lines (20 + 62 + 3*282 + 2*12 + 20)
    public void Should_size_the_figure_from_the_layout(FigureLayout layout, int methods, int width, int height)
    {
        var figure = ComparisonFigure.Render(VisualizationFixtures.Scene(64, 64), Entries(methods), layout, Labeled);
        Assert.Equal((width, height), (figure.Width, figure.Height));
    }

    [Theory]
    [InlineData(2, FigureLayout.Grid, 1, 2)]
    [InlineData(4, FigureLayout.Grid, 2, 2)]
    [InlineData(5, FigureLayout.Grid, 2, 3)]
    [InlineData(7, FigureLayout.Grid, 3, 3)]
    [InlineData(10, FigureLayout.Grid, 3, 4)]
    [InlineData(4, FigureLayout.Horizontal, 1, 4)]
    [InlineData(4, FigureLayout.Vertical, 4, 1)]
    public void Should_arrange_panels_in_rows_and_columns(int panels, FigureLayout layout, int rows, int columns)
    {
        Assert.Equal((rows, columns), ComparisonFigure.Grid(panels, layout));
    }

    [Fact]
    public void Should_place_the_original_first_then_one_overlay_per_method()
    {
        // Given four methods in a grid (2 rows of 3) with nearest-neighbour enlargement of a 64x64 image
        var image = VisualizationFixtures.Scene(64, 64);
        var entries = Entries(4);
        var options = Labeled with { Interpolation = ResizeInterpolation.Nearest };

        // When drawing the comparison
        var figure = ComparisonFigure.Render(image, entries, FigureLayout.Grid, options);

        // Then cell (row, column) starts at x = 20 + 276 * column, image top = 82 + 294 * row, and holds the original,
        // then the overlays in order; the sixth cell stays empty
        var cells = new (int X, int Y)[] { (20, 82), (296, 82), (572, 82), (20, 376), (296, 376) };
        for (var x = 0; x < 64; x += 9)
        {
            for (var y = 0; y < 64; y += 9)
            {
                Assert.Equal(image.GetPixel(x, y), figure.GetPixel(cells[0].X + (4 * x) + 1, cells[0].Y + (4 * y) + 1));
                for (var m = 0; m < 4; m++)
                {
                    var overlay = Overlay.Heatmap(image, entries[m].Heatmap);
                    Assert.Equal(overlay.GetPixel(x, y), figure.GetPixel(cells[m + 1].X + (4 * x) + 1, cells[m + 1].Y + (4 * y) + 1));
                }
            }
        }
        var white = new Rgb(255, 255, 255);
        for (var y = 376 - 26; y < 376 + 256; y += 5)
        {
            for (var x = 572; x < 572 + 256; x += 5) Assert.Equal(white, figure.GetPixel(x, y));
        }

        // And the colorbar stands right of the first row
        Assert.Equal(Colormaps.Get("viridis")[255], figure.GetPixel(572 + 256 + 12 + 7, 82));
        Assert.Equal(Colormaps.Get("viridis")[0], figure.GetPixel(572 + 256 + 12 + 7, 82 + 255));
    }

    [Fact]
    public void Should_put_the_colorbar_beside_the_first_overlay_in_a_column()
    {
        // Given a vertical comparison of a 64x64 image (a two-line title: the grid starts at 20 + 2*26 + 10 = 82)
        var figure = ComparisonFigure.Render(VisualizationFixtures.Scene(64, 64), Entries(2), FigureLayout.Vertical, Labeled);

        // Then the bar (x = 20 + 256 + 12) runs beside the second cell (image top 82 + 282 + 12 + 26 = 402), not the original
        var viridis = Colormaps.Get("viridis");
        Assert.Equal(viridis[255], figure.GetPixel(288 + 7, 402));
        Assert.Equal(viridis[0], figure.GetPixel(288 + 7, 402 + 255));
        Assert.Equal(new Rgb(255, 255, 255), figure.GetPixel(288 + 7, 82 + 26 + 100));
    }

    [Fact]
    public void Should_draw_the_same_figure_from_heatmaps_or_untimed_entries()
    {
        var image = VisualizationFixtures.Scene(40, 30);
        Heatmap[] heatmaps = [VisualizationFixtures.Blob(8, 8, 0.3, 0.5, 0.2), VisualizationFixtures.Blob(8, 8, 0.6, 0.5, 0.2, method: "smoothgrad")];

        var fromHeatmaps = ComparisonFigure.Render(image, heatmaps, FigureLayout.Horizontal, Labeled);
        var fromEntries = ComparisonFigure.Render(image, heatmaps.Select(h => new ComparisonEntry(h)).ToArray(), FigureLayout.Horizontal, Labeled);

        Assert.Equal(fromEntries.ToArray(), fromHeatmaps.ToArray());
    }

    [Fact]
    public void Should_save_the_figure_it_returns()
    {
        using var dir = new ScratchDirectory();
        var path = dir.File("comparison.png");

        var figure = ComparisonFigure.Save(VisualizationFixtures.Scene(40, 30), Entries(2), path, FigureLayout.Vertical, Labeled);

        Assert.Equal(figure.ToArray(), ImageIO.Load(path).ToArray());
    }

    [Fact]
    public void Should_refuse_an_empty_comparison_and_bad_arguments()
    {
        var image = VisualizationFixtures.Scene(8, 8);
        Assert.Throws<ArgumentException>(() => ComparisonFigure.Render(image, Array.Empty<ComparisonEntry>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ComparisonFigure.Render(image, Entries(1), (FigureLayout)7));
        Assert.Throws<ArgumentNullException>(() => ComparisonFigure.Render(image, new ComparisonEntry[] { null! }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComparisonEntry(VisualizationFixtures.Blob(4, 4, 0.5, 0.5, 0.2), elapsedMilliseconds: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComparisonEntry(VisualizationFixtures.Blob(4, 4, 0.5, 0.5, 0.2), elapsedMilliseconds: double.NaN));
    }
}
