using AutoTimm.Data;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// Turns one image's dense detector output into detections as torchvision's FCOS post-processing does: score
/// <c>sqrt(sigmoid(class logit) * sigmoid(centerness))</c>, threshold, best candidates per level, box decoding from
/// the location and its distances, clipping to the image, and class-wise non-maximum suppression.
/// </summary>
public static class DetectionDecoder
{
    /// <summary>Detection scores <c>[locations, K]</c> of one image's dense output <c>[locations, K + 11]</c>; differentiable.</summary>
    public static Tensor Scores(Tensor output)
    {
        var layout = DenseDetectionLayout.Of(output);
        var logits = output.narrow(-1, 0, layout.NumClasses);
        var centerness = output.narrow(-1, layout.Centerness, 1);
        return (logits.sigmoid() * centerness.sigmoid()).sqrt();
    }

    /// <summary>The detections of one image's dense output <c>[locations, K + 11]</c>, best first.</summary>
    public static IReadOnlyList<Detection> Decode(Tensor output, DetectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        options ??= DetectionOptions.Default;
        options.Validate();
        if (output.dim() != 2) throw new ArgumentException($"decode one image's output [locations, K + 11], got [{string.Join(",", output.shape)}]");
        var layout = DenseDetectionLayout.Of(output);
        int k = layout.NumClasses, columns = layout.Columns, locations = (int)output.shape[0];
        float[] scores, rows;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var cpu = output.detach().to(ScalarType.Float32, CPU).contiguous();
            scores = Scores(cpu).CopyToArray<float>();
            rows = cpu.CopyToArray<float>();
        }
        if (locations == 0) return [];

        // Candidates per level: above the threshold, the best TopKCandidates by score.
        var candidates = new List<Detection>();
        int start = 0;
        while (start < locations)
        {
            int level = (int)rows[start * columns + layout.Level], end = start;
            while (end < locations && (int)rows[end * columns + layout.Level] == level) end++;
            var kept = new List<(float Score, int Index)>();
            for (int i = start * k; i < end * k; i++)
                if (scores[i] > options.ScoreThreshold) kept.Add((scores[i], i));
            // Ties keep index order (a stable sort), so decoding is deterministic.
            foreach (var (score, index) in kept.OrderByDescending(c => c.Score).ThenBy(c => c.Index).Take(options.TopKCandidates))
            {
                int location = index / k, label = index % k;
                var r = location * columns;
                float size = rows[r + layout.AnchorSize], cx = rows[r + layout.CenterX], cy = rows[r + layout.CenterY];
                float width = rows[r + layout.ImageWidth], height = rows[r + layout.ImageHeight];
                var box = new BoundingBox(
                    Math.Clamp(cx - rows[r + layout.Box] * size, 0, width),
                    Math.Clamp(cy - rows[r + layout.Box + 1] * size, 0, height),
                    Math.Clamp(cx + rows[r + layout.Box + 2] * size, 0, width),
                    Math.Clamp(cy + rows[r + layout.Box + 3] * size, 0, height));
                candidates.Add(new Detection(box, label, score, location, level));
            }
            start = end;
        }
        return Nms(candidates, options.NmsThreshold).Take(options.DetectionsPerImage).ToArray();
    }

    /// <summary>
    /// Class-wise greedy non-maximum suppression: in score order, a box is kept unless a kept box of its class
    /// overlaps it by IoU above <paramref name="threshold"/>. Returns the kept boxes best first.
    /// </summary>
    public static IReadOnlyList<Detection> Nms(IReadOnlyList<Detection> detections, float threshold)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var ordered = detections.Select((d, i) => (d, i)).OrderByDescending(x => x.d.Score).ThenBy(x => x.i).Select(x => x.d).ToArray();
        var kept = new List<Detection>();
        foreach (var candidate in ordered)
        {
            bool suppressed = false;
            foreach (var k in kept)
            {
                if (k.Label == candidate.Label && Iou(k.Box, candidate.Box) > threshold) { suppressed = true; break; }
            }
            if (!suppressed) kept.Add(candidate);
        }
        return kept;
    }

    // torchvision's IoU: areas without the +1 pixel convention, so degenerate boxes have area 0.
    private static float Iou(BoundingBox a, BoundingBox b)
    {
        float w = MathF.Max(0, MathF.Min(a.X1, b.X1) - MathF.Max(a.X0, b.X0));
        float h = MathF.Max(0, MathF.Min(a.Y1, b.Y1) - MathF.Max(a.Y0, b.Y0));
        float inter = w * h, union = (a.X1 - a.X0) * (a.Y1 - a.Y0) + (b.X1 - b.X0) * (b.Y1 - b.Y0) - inter;
        return union > 0 ? inter / union : 0;
    }
}
