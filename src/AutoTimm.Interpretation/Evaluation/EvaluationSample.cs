using AutoTimm.Imaging;
using AutoTimm.Interpretation.Metrics;

namespace AutoTimm.Interpretation.Evaluation;

/// <summary>One image of a method comparison, with what is known about it.</summary>
/// <param name="Image">The image (file, bytes, decoded image or preprocessed tensor).</param>
/// <param name="Label">The true class: explained and scored when given; otherwise the predicted class is.</param>
/// <param name="Region">Where the object is (mask or box) at the model input's resolution, for localization; null leaves localization undefined for this image.</param>
/// <param name="Name">A name for reports.</param>
public sealed record EvaluationSample(ImageInput Image, int? Label = null, SaliencyRegion? Region = null, string? Name = null);
