using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Tests.Visualization;

public sealed class FigureTextTests
{
    private static readonly FigureOptions Labeled = new() { ClassNames = VisualizationFixtures.FashionClasses };

    [Fact]
    public void Should_title_the_prediction_the_explained_class_and_the_method()
    {
        var heatmap = VisualizationFixtures.Blob(4, 4, 0.5, 0.5, 0.2, method: "gradcam", target: 7, predicted: 7, layer: "layer4");

        var parts = FigureText.TitleParts(heatmap, Labeled, withMethod: true);

        Assert.Equal("Predicted: Sneaker (92.4%) \u00B7 explaining: Sneaker \u00B7 Grad-CAM @ layer4", string.Join(FigureText.Separator, parts));
    }

    [Fact]
    public void Should_give_the_probability_of_an_explained_class_that_was_not_predicted()
    {
        var heatmap = VisualizationFixtures.Blob(4, 4, 0.5, 0.5, 0.2, method: "integrated_gradients", target: 9, predicted: 7, layer: null);

        Assert.Equal(["Predicted: Sneaker (92.4%)", "explaining: Ankle boot (5.0%)", "Integrated Gradients"], FigureText.TitleParts(heatmap, Labeled, withMethod: true));
        Assert.Equal(["Predicted: 7 (92.4%)", "explaining: 9 (5.0%)"], FigureText.TitleParts(heatmap, FigureOptions.Default, withMethod: false));
    }

    [Theory]
    [InlineData("gradcam", "Grad-CAM")]
    [InlineData("gradcampp", "Grad-CAM++")]
    [InlineData("integrated_gradients", "Integrated Gradients")]
    [InlineData("smoothgrad", "SmoothGrad")]
    [InlineData("attention_rollout", "Attention Rollout")]
    [InlineData("attention_flow", "Attention Flow")]
    [InlineData("my_method", "my_method")]
    public void Should_name_methods_for_display(string id, string name)
    {
        Assert.Equal(name, FigureText.MethodName(id));
    }

    [Theory]
    [InlineData(8.254, "8.25 ms")]
    [InlineData(12.34, "12.3 ms")]
    [InlineData(1532.4, "1532 ms")]
    public void Should_format_durations(double ms, string text)
    {
        Assert.Equal(text, FigureText.Milliseconds(ms));
    }

    [Fact]
    public void Should_wrap_a_long_title_between_parts_and_capitalize_new_lines()
    {
        // Given a width that holds the last two parts together but not the first two
        var width = FigureCanvas.MeasureText("explaining: Sneaker \u00B7 Grad-CAM @ layer4", FigureFonts.Bold, 17f) + 1;
        Assert.True(FigureCanvas.MeasureText("Predicted: Sneaker (92.4%) \u00B7 explaining: Sneaker", FigureFonts.Bold, 17f) > width);

        var lines = FigurePanels.WrapTitle(["Predicted: Sneaker (92.4%)", "explaining: Sneaker", "Grad-CAM @ layer4"], width);

        Assert.Equal(["Predicted: Sneaker (92.4%)", "Explaining: Sneaker \u00B7 Grad-CAM @ layer4"], lines);
    }
}
