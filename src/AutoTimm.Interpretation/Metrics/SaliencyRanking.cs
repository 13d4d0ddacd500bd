using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// The one pixel order every metric uses: saliency highest first, ties by pixel index (row-major), so a constant map
/// orders pixels in reading order and equal maps always give equal results.
/// </summary>
internal static class SaliencyRanking
{
    /// <summary>Pixel indices, most salient first.</summary>
    public static int[] Order(IReadOnlyList<float> saliency) =>
        Enumerable.Range(0, saliency.Count).OrderByDescending(i => saliency[i]).ThenBy(i => i).ToArray();

    /// <summary>Each pixel's rank: 0 for the most salient.</summary>
    public static long[] Ranks(IReadOnlyList<float> saliency)
    {
        var order = Order(saliency);
        var rank = new long[order.Length];
        for (int r = 0; r < order.Length; r++) rank[order[r]] = r;
        return rank;
    }

    /// <summary>Each pixel's rank as <c>[1,1,H,W]</c> int64 on the device of <paramref name="like"/> <c>[N,C,H,W]</c>.</summary>
    public static Tensor RankImage(IReadOnlyList<float> saliency, Tensor like) =>
        tensor(Ranks(saliency), device: like.device).reshape(1, 1, like.shape[2], like.shape[3]);
}
