using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// Puts a model in eval mode for a call and restores every module's own training flag afterwards, so submodules a
/// user froze or left in train mode come back exactly as they were. Used by prediction, evaluation and every
/// explanation.
/// <para>
/// It also holds the model for the call: a model is shared state (training flags, the hooks an explanation puts on
/// its layers, weights a sanity check randomizes), so calls on one model from several threads run one at a time, each
/// seeing only its own hooks, and give what they would give alone. Calls on different models run in parallel. The
/// hold is re-entrant on one thread and must be released on the thread that took it (a <c>using</c>).
/// </para>
/// </summary>
public sealed class EvalModeScope : IDisposable
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<nn.Module, object> Holds = new();
    // Every module with its flag, each listed before its descendants (a depth-first walk).
    private readonly List<(nn.Module Module, bool Training)> _saved = [];
    private readonly object _hold;
    private bool _released;

    /// <summary>Holds the model, records every module's flag and switches the model to eval mode.</summary>
    public EvalModeScope(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _hold = Holds.GetValue(model, _ => new object());
        Monitor.Enter(_hold);
        try
        {
            Record(model);
            // eval() walks every module (and lays out a channels-last model's weights): a model already in eval
            // mode throughout, the usual case, skips it.
            if (_saved.Exists(s => s.Training)) model.eval();
        }
        catch
        {
            Monitor.Exit(_hold);
            throw;
        }
    }

    // Walks the children directly: named_modules() builds every module's dotted name, which a call on a ResNet-50
    // (hundreds of modules) paid before and after each explanation.
    private void Record(nn.Module module)
    {
        _saved.Add((module, module.training));
        foreach (var (_, child) in module.named_children()) Record(child);
    }

    /// <summary>Restores the recorded flags and releases the model.</summary>
    public void Dispose()
    {
        if (_released) return;
        _released = true;
        try
        {
            // train(bool) recurses into children, so restore parents before children: the recorded order.
            foreach (var (module, training) in _saved)
                if (module.training != training) module.train(training);
        }
        finally
        {
            Monitor.Exit(_hold);
        }
    }
}
