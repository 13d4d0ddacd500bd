using System.Runtime;

namespace AutoTimm.Native;

/// <summary>
/// Runs a stretch of libtorch calls with no garbage collection when the runtime can promise it. TorchSharp 0.107
/// passes temporary <c>Scalar</c> objects to native calls without keeping them alive; a collection triggered by
/// another thread (the data loader's worker allocates constantly) can finalize one while libtorch reads it. A
/// real training run died that way in BatchNorm's <c>num_batches_tracked.add_(1)</c>. Training steps run inside it.
/// Starting a region can itself collect, so it is not for code that many threads run at once (an induced collection
/// finalizes other threads' temporaries sooner); explanations keep their Scalars instead (<see cref="Scalars"/>). Without the promise (budget exceeded, region already active) the action simply runs.
/// </summary>
public static class NativeCallGuard
{
    private const long Budget = 64L * 1024 * 1024;

    /// <summary>Runs <paramref name="action"/>, with no garbage collection in between where the runtime can promise it.</summary>
    public static T Run<T>(Func<T> action)
    {
        bool started = false;
        try
        {
            started = GC.TryStartNoGCRegion(Budget);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            // Already in a region, or the budget exceeds what this GC configuration allows.
        }
        try
        {
            return action();
        }
        finally
        {
            // A collection another thread induced (GC.Collect) ends the region at any moment, also between a check and the end.
            if (started)
            {
                try
                {
                    if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
                }
                catch (InvalidOperationException)
                {
                    // The region had already ended.
                }
            }
        }
    }
}
