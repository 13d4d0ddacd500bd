using TorchSharp;
using AutoTimm.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using AutoTimm.Native;

namespace AutoTimm.Training;

/// <summary>
/// FCOS's training objective as torchvision computes it, on the dense output <c>[N, locations, K + 11]</c> and padded
/// boxes <c>[N, M, 5]</c>: each location is assigned the smallest object whose center region (within
/// <see cref="CenterSamplingRadius"/> anchor sizes of the box center) and whose size range (the farthest box edge
/// between 4 and 8 anchor sizes; no lower bound on the first level, no upper bound on the last) contain it; then sigmoid
/// focal loss on every location's classes, GIoU loss on the decoded boxes and binary cross-entropy on centerness, at
/// positive locations, each summed and divided by the number of positives.
/// </summary>
/// <param name="CenterSamplingRadius">Positive locations lie within this many anchor sizes of a box center.</param>
public sealed record DetectionObjective(float CenterSamplingRadius = 1.5f) : ITrainingObjective
{
    /// <inheritdoc/>
    public string? TrainMetricName => null;

    /// <inheritdoc/>
    public long Correct(Tensor output, Tensor targets) => 0;

    /// <inheritdoc/>
    public Tensor Loss(Tensor output, Tensor targets)
    {
        var terms = Terms(output, targets);
        return terms.Classification.add(terms.BoxRegression, Scalars.One).add(terms.Centerness, Scalars.One);
    }

    /// <summary>The three loss terms (each divided by the number of positive locations, at least 1).</summary>
    public (Tensor Classification, Tensor BoxRegression, Tensor Centerness, long Positives) Terms(Tensor output, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(targets);
        var layout = DenseDetectionLayout.Of(output);
        if (targets.dim() != 3 || targets.shape[2] != 5 || targets.shape[0] != output.shape[0])
            throw new ArgumentException($"detection targets are [N, M, 5] boxes with class, got [{string.Join(",", targets.shape)}] for {output.shape[0]} images");
        int k = layout.NumClasses;
        targets = targets.to(ScalarType.Float32, output.device);
        Tensor Column(int c) => output.select(2, c).detach();
        var cx = Column(layout.CenterX).unsqueeze(2);      // [N, L, 1]
        var cy = Column(layout.CenterY).unsqueeze(2);
        var size = Column(layout.AnchorSize).unsqueeze(2);
        var level = Column(layout.Level).unsqueeze(2);

        var x0 = targets.select(2, 0).unsqueeze(1);         // [N, 1, M]
        var y0 = targets.select(2, 1).unsqueeze(1);
        var x1 = targets.select(2, 2).unsqueeze(1);
        var y1 = targets.select(2, 3).unsqueeze(1);
        var labels = targets.select(2, 4);                   // [N, M]
        var valid = labels.ge(Scalars.Of(0)).unsqueeze(1);

        // Center sampling, inside the box, and the level's size range.
        var two = Scalars.Of(2);
        var match = maximum((cx - x0.add(x1, Scalars.One).div(two)).abs(), (cy - y0.add(y1, Scalars.One).div(two)).abs()).lt(size.mul(Scalars.Of(CenterSamplingRadius)));
        var distances = stack([cx - x0, cy - y0, x1 - cx, y1 - cy], 3); // [N, L, M, 4]
        match = match.logical_and(distances.amin(3).gt(Scalars.Of(0)));
        var farthest = distances.amax(3);
        var lastLevel = level.max();
        var lower = where(level.eq(Scalars.Of(0)), zeros_like(size), size.mul(Scalars.Of(4)));
        var upper = where(level.eq(lastLevel), full_like(size, Scalars.Of(double.PositiveInfinity)), size.mul(Scalars.Of(8)));
        match = match.logical_and(farthest.gt(lower)).logical_and(farthest.lt(upper)).logical_and(valid);

        // The smallest matching box wins (torchvision: 1e8 - area, max over boxes).
        var area = ((x1 - x0) * (y1 - y0));
        var preference = match.to(ScalarType.Float32) * area.neg().add_(Scalars.Of(1e8), Scalars.One);
        var (best, index) = preference.max(2);                // [N, L]
        var positive = best.ge(Scalars.Of(1e-5));
        var positives = positive.sum().item<long>();
        using Scalar normalizer = Math.Max(1, positives);

        var matchedLabels = labels.gather(1, index).clamp_min(Scalars.Of(0)).to(ScalarType.Int64);
        var classTargets = F.one_hot(matchedLabels, k).to(ScalarType.Float32) * positive.unsqueeze(2).to(ScalarType.Float32);
        var logits = output.narrow(2, 0, k);
        var classification = SigmoidFocalLoss(logits, classTargets).sum().div(normalizer);

        var rows = positive.flatten().nonzero().squeeze(1);
        var boxes = targets.narrow(2, 0, 4).gather(1, index.unsqueeze(2).expand(-1, -1, 4)).reshape(-1, 4).index_select(0, rows);
        var regression = output.narrow(2, layout.Box, 4).reshape(-1, 4).index_select(0, rows);
        var px = cx.reshape(-1).index_select(0, rows);
        var py = cy.reshape(-1).index_select(0, rows);
        var ps = size.reshape(-1).index_select(0, rows);
        var predicted = stack([px - regression.select(1, 0) * ps, py - regression.select(1, 1) * ps,
            px.add(regression.select(1, 2) * ps, Scalars.One), py.add(regression.select(1, 3) * ps, Scalars.One)], 1);
        var boxRegression = GeneralizedIouLoss(predicted, boxes).sum().div(normalizer);

        var l = px - boxes.select(1, 0);
        var t = py - boxes.select(1, 1);
        var r = boxes.select(1, 2) - px;
        var b = boxes.select(1, 3) - py;
        var centernessTarget = (minimum(l, r) / maximum(l, r) * (minimum(t, b) / maximum(t, b))).sqrt();
        var centernessLogits = output.select(2, layout.Centerness).reshape(-1).index_select(0, rows);
        var centerness = F.binary_cross_entropy_with_logits(centernessLogits, centernessTarget, reduction: nn.Reduction.Sum).div(normalizer);
        return (classification, boxRegression, centerness, positives);
    }

    /// <summary>torchvision's <c>sigmoid_focal_loss</c> (alpha 0.25, gamma 2), per element.</summary>
    internal static Tensor SigmoidFocalLoss(Tensor logits, Tensor targets, double alpha = 0.25)
    {
        var p = logits.sigmoid();
        var ce = F.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.None);
        var notTargets = Scalars.OneMinus(targets);
        var pT = (p * targets).add(Scalars.OneMinus(p) * notTargets, Scalars.One);
        var alphaT = targets.mul(Scalars.Of(alpha)).add(notTargets.mul(Scalars.Of(1 - alpha)), Scalars.One);
        return alphaT * ce * Scalars.OneMinus(pT).pow(Scalars.Of(2));
    }

    /// <summary>torchvision's <c>generalized_box_iou_loss</c> (eps 1e-7), per box pair.</summary>
    internal static Tensor GeneralizedIouLoss(Tensor a, Tensor b)
    {
        const double eps = 1e-7;
        var (ax0, ay0, ax1, ay1) = (a.select(1, 0), a.select(1, 1), a.select(1, 2), a.select(1, 3));
        var (bx0, by0, bx1, by1) = (b.select(1, 0), b.select(1, 1), b.select(1, 2), b.select(1, 3));
        var (zero, epsilon) = (Scalars.Of(0), Scalars.Of(eps));
        var intersection = (minimum(ax1, bx1) - maximum(ax0, bx0)).clamp_min(zero) * (minimum(ay1, by1) - maximum(ay0, by0)).clamp_min(zero);
        var union = ((ax1 - ax0) * (ay1 - ay0)).add((bx1 - bx0) * (by1 - by0), Scalars.One) - intersection;
        var iou = intersection / union.add(epsilon, Scalars.One);
        var enclosing = (maximum(ax1, bx1) - minimum(ax0, bx0)) * (maximum(ay1, by1) - minimum(ay0, by0));
        return Scalars.OneMinus(iou - (enclosing - union) / enclosing.add(epsilon, Scalars.One));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Validate(VisionModel model, IBatchSource validation, IProgress<WorkProgress>? progress, string stage)
    {
        var detector = model as ObjectDetector ?? throw new ArgumentException($"{model?.Config.Arch} is not an object detector", nameof(model));
        var report = DetectionEvaluator.Evaluate(detector, validation, progress, stage);
        return new Dictionary<string, double> { ["val_map50"] = report.MeanAp50, ["val_map"] = report.MeanAp };
    }
}
