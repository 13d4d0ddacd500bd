using AutoTimm.Training;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Training;

/// <summary>A learnable toy task: the label is the quadrant of a 16x16 image that holds a bright square.</summary>
internal sealed class QuadrantBatches(int batches, int batchSize, long seed, int poisonEpoch = -1) : IBatchSource
{
    public int BatchesPerEpoch => batches;

    public IEnumerable<TrainingBatch> Batches(int epoch)
    {
        var rng = new Random(unchecked((int)(seed * 31 + epoch)));
        for (int b = 0; b < batches; b++)
        {
            var pixels = new float[batchSize * 3 * 16 * 16];
            var labels = new long[batchSize];
            for (int i = 0; i < batchSize; i++)
            {
                int q = rng.Next(4);
                labels[i] = q;
                int oy = (q / 2) * 8 + rng.Next(3), ox = (q % 2) * 8 + rng.Next(3);
                for (int c = 0; c < 3; c++)
                for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                {
                    bool on = y >= oy && y < oy + 5 && x >= ox && x < ox + 5;
                    pixels[((i * 3 + c) * 16 + y) * 16 + x] = (on ? 1f : 0f) + 0.1f * (float)rng.NextDouble()
                        + (epoch == poisonEpoch ? float.NaN : 0f);
                }
            }
            yield return new TrainingBatch(tensor(pixels, [batchSize, 3, 16, 16]), tensor(labels));
        }
    }
}
