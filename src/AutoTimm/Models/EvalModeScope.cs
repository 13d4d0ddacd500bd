using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// Puts a model in eval mode for a call and restores every module's own training flag afterwards, so submodules a
/// user froze or left in train mode come back exactly as they were. Used by prediction, evaluation and every
/// explanation.
/// </summary>
public sealed class EvalModeScope : IDisposable
{
    private readonly List<(int Depth, nn.Module Module, bool Training)> _saved = [];

    /// <summary>Records every module's flag and switches the model to eval mode.</summary>
    public EvalModeScope(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _saved.Add((0, model, model.training));
        foreach (var (name, module) in model.named_modules())
            _saved.Add((name.Count(c => c == '.') + 1, module, module.training));
        model.eval();
    }

    /// <summary>Restores the recorded flags.</summary>
    public void Dispose()
    {
        // train(bool) recurses into children, so restore parents before children.
        foreach (var (_, module, training) in _saved.OrderBy(s => s.Depth))
            if (module.training != training) module.train(training);
    }
}
