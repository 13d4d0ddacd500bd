using static TorchSharp.torch;

namespace AutoTimm.Interpretation;

/// <summary>Puts a model in eval mode for a call and restores every module's training flag afterwards.</summary>
internal sealed class EvalModeScope : IDisposable
{
    private readonly List<(int Depth, nn.Module Module, bool Training)> _saved = [];

    public EvalModeScope(nn.Module model)
    {
        _saved.Add((0, model, model.training));
        foreach (var (name, module) in model.named_modules())
            _saved.Add((name.Count(c => c == '.') + 1, module, module.training));
        model.eval();
    }

    public void Dispose()
    {
        // train(bool) recurses into children, so restore parents before children.
        foreach (var (_, module, training) in _saved.OrderBy(s => s.Depth))
            if (module.training != training) module.train(training);
    }
}
