using AutoTimm.Imaging;
using AutoTimm.Interpretation.Adapters;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;

namespace AutoTimm.Interpretation.Reports;

/// <summary>Builds a report page from what <see cref="Interpretation.Run"/> computed for each kind of model.</summary>
internal static class ReportPages
{
    /// <summary>Rows of a classifier's top-k table.</summary>
    public const int TopClasses = 5;

    public static ReportOptions Options(InterpretationRequest request, string? title = null) => new()
    {
        Title = title ?? $"AutoTimm explanation: {NameOf(request.Image)}",
        Colormap = request.Colormap,
        Alpha = request.Alpha,
    };

    /// <summary>What a page calls an image: its file name, else the name it was given, else its description.</summary>
    public static string NameOf(ImageInput image) => image.FilePath is { } path ? Path.GetFileName(path) : image.Name ?? image.Description;

    public static ReportImage Classification(VisionModel model, ImageInput image, RgbImage display, ClassPrediction prediction, int target,
        IReadOnlyList<ReportMap> maps, IReadOnlyDictionary<string, string> errors, IReadOnlyList<ReportMethodMetrics> metrics) => new()
    {
        Name = NameOf(image),
        Source = image.FilePath,
        Image = display,
        Task = ModelTask.ImageClassifier,
        Arch = model.Config.Arch,
        PredictedLabel = model.Config.LabelOf(prediction.PredictedClass),
        Confidence = prediction.Confidence,
        // Best first; equal probabilities keep class order.
        TopClasses = prediction.Probabilities.Select((p, c) => (p, c)).OrderByDescending(x => x.p).Take(TopClasses)
            .Select(x => new ReportClassScore(x.c, model.Config.LabelOf(x.c), x.p)).ToList(),
        TargetLabel = model.Config.LabelOf(target),
        Maps = maps,
        Errors = errors,
        Metrics = metrics,
    };

    public static ReportImage Detection(ObjectDetector detector, ImageInput image, RgbImage display, IReadOnlyList<Detection> detections,
        IReadOnlyDictionary<int, List<ReportMap>> maps, IReadOnlyDictionary<int, Dictionary<string, string>> detectionErrors,
        IReadOnlyDictionary<string, string> errors, string? message) => new()
    {
        Name = NameOf(image),
        Source = image.FilePath,
        Image = display,
        Task = ModelTask.ObjectDetector,
        Arch = detector.Config.Arch,
        PredictedLabel = detections.Count > 0 ? detector.Config.LabelOf(detections[0].Label) : null,
        Confidence = detections.Count > 0 ? detections[0].Score : null,
        Detections = detections.Select((d, i) => new ReportDetection
        {
            Index = i,
            Box = d.Box.ToArray(),
            Label = detector.Config.LabelOf(d.Label),
            Score = d.Score,
            Maps = maps.TryGetValue(i, out var found) ? found : [],
            Errors = detectionErrors.TryGetValue(i, out var failed) ? failed : new Dictionary<string, string>(),
        }).ToList(),
        Errors = errors,
        Message = message,
    };

    public static ReportImage Segmentation(SemanticSegmentor segmentor, ImageInput image, RgbImage display, SegmentationExplanation? first,
        IReadOnlyList<ReportClassLayer> classes, IReadOnlyDictionary<string, string> errors) => new()
    {
        Name = NameOf(image),
        Source = image.FilePath,
        Image = display,
        Task = ModelTask.SemanticSegmentor,
        Arch = segmentor.Config.Arch,
        PredictedLabel = first?.Prediction.TopClass is { } top ? segmentor.Config.LabelOf(top) : null,
        TargetLabel = classes.Count > 0 ? classes[0].Label : null,
        Classes = classes,
        Mask = first?.Mask,
        MaskLabels = Enumerable.Range(0, segmentor.Config.NumClasses).Select(segmentor.Config.LabelOf).ToList(),
        Errors = errors,
        Message = first?.Message,
    };
}
