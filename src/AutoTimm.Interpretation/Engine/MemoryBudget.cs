using System.Globalization;
using System.Runtime.CompilerServices;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// How many rows one forward/backward of a model may hold: methods that evaluate many variants of an image (Integrated
/// Gradients' path points, SmoothGrad's noisy copies) take at most the rows whose activations and gradients fit in
/// <see cref="Bytes"/>, whatever internal batch they were asked for. A row's cost is measured once per model and input
/// size, by one inference forward that sums every layer's output; a backward holds about as much again.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Environment variable giving the budget in MiB.</summary>
    public const string Variable = "AUTOTIMM_MEMORY_BUDGET_MB";

    /// <summary>The budget for one forward/backward's activations and gradients, in bytes (default 1 GiB).</summary>
    public static long Bytes
    {
        get => _bytes;
        set => _bytes = value >= 1 << 20 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the memory budget must be at least 1 MiB");
    }

    private static long _bytes = FromEnvironment() ?? 1L << 30;

    private static readonly ConditionalWeakTable<VisionModel, Dictionary<(long, long), long>> PerRow = [];

    /// <summary>
    /// The rows per chunk for explaining inputs shaped like <paramref name="inputs"/> with gradients: at most
    /// <paramref name="requested"/>, at least 1.
    /// </summary>
    public static int RowsFor(VisionModel model, Tensor inputs, int requested)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(requested, 1);
        long perRow = BytesPerRow(model, inputs);
        return (int)Math.Clamp(Bytes / Math.Max(1, perRow), 1, requested);
    }

    /// <summary>Bytes one input row costs in a forward with a backward: twice the sum of every layer's output for one row.</summary>
    public static long BytesPerRow(VisionModel model, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var size = (inputs.shape[^2], inputs.shape[^1]);
        var known = PerRow.GetOrCreateValue(model);
        lock (known)
            if (known.TryGetValue(size, out var cached)) return cached;
        long outputs = 0;
        var hooks = model.modules().OfType<nn.Module<Tensor, Tensor>>().Where(m => !m.children().Any())
            .Select(m => m.register_forward_hook((_, _, output) => { outputs += output.NumberOfElements * output.ElementSize; return output; }))
            .ToList();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var mode = new EvalModeScope(model);
            model.call(inputs.narrow(0, 0, 1).to(ScalarType.Float32, model.Device));
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
        }
        long perRow = 2 * Math.Max(outputs, inputs.narrow(0, 0, 1).NumberOfElements * 4);
        lock (known) known[size] = perRow;
        return perRow;
    }

    private static long? FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mb) || mb < 1 || mb > (1L << 40))
            throw new ArgumentException($"environment variable {Variable}='{text}' is not a number of MiB between 1 and 2^40");
        return mb << 20;
    }
}
