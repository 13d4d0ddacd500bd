using static TorchSharp.torch;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// The layer an ONNX node output is: an identity module every value of that output passes through, so forward hooks
/// see it and may replace it, exactly as on a layer of a native model.
/// </summary>
internal sealed class OnnxTap(string output) : nn.Module<Tensor, Tensor>("OnnxTap")
{
    /// <summary>The node output this layer stands for.</summary>
    public string Output { get; } = output;

    public override Tensor forward(Tensor input) => input;
}
