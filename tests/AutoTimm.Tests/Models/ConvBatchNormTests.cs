using AutoTimm.Models;
using AutoTimm.Models.Architectures;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Tests.Models;

/// <summary>
/// Convolution + BatchNorm folded into one convolution in eval mode: the same outputs and parameter gradients as the
/// two modules run one after the other (float64, so the two forms agree to ~1e-15), the modules themselves whenever one
/// is hooked or the model trains, and the fold taken only where it pays.
/// </summary>
public sealed class ConvBatchNormTests
{
    // A conv/BN pair with BatchNorm statistics and affine parameters far from the identity.
    private static (TorchSharp.Modules.Conv2d Conv, TorchSharp.Modules.BatchNorm2d Norm) Pair(long inChannels, long outChannels, int kernel, int stride, bool bias)
    {
        var conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2, bias: bias, dtype: ScalarType.Float64);
        var norm = nn.BatchNorm2d(outChannels, dtype: ScalarType.Float64);
        using (no_grad())
        {
            var g = new Generator(7);
            norm.running_mean!.copy_(randn(outChannels, generator: g, dtype: ScalarType.Float64));
            norm.running_var!.copy_(rand(outChannels, generator: g, dtype: ScalarType.Float64) * 3 + 0.01);
            norm.weight.copy_(randn(outChannels, generator: g, dtype: ScalarType.Float64));
            norm.bias!.copy_(randn(outChannels, generator: g, dtype: ScalarType.Float64));
        }
        conv.eval();
        norm.eval();
        return (conv, norm);
    }

    private static double MaxAbs(Tensor t) => t.abs().max().item<double>();

    [Theory]
    [InlineData(3, 8, 7, 2, false)]
    [InlineData(8, 16, 3, 1, true)]
    [InlineData(8, 16, 1, 2, false)]
    public void Should_give_the_modules_outputs_and_parameter_gradients(int inChannels, int outChannels, int kernel, int stride, bool bias)
    {
        var (conv, norm) = Pair(inChannels, outChannels, kernel, stride, bias);
        using var x = randn(new long[] { 2, inChannels, 24, 24 }, dtype: ScalarType.Float64, generator: new Generator(3));
        Assert.True(ConvBatchNorm.Folds(conv, norm, x));

        Tensor[] Gradients(Func<Tensor> forward, out Tensor output)
        {
            output = forward();
            var parameters = new List<Tensor> { conv.weight, norm.weight, norm.bias! };
            if (bias) parameters.Add(conv.bias!);
            return autograd.grad([(output * output).sum()], parameters, allow_unused: true).ToArray();
        }

        var folded = Gradients(() => ConvBatchNorm.Forward(conv, norm, x), out var y);
        var separate = Gradients(() => norm.call(conv.call(x)), out var expected);
        Assert.True(MaxAbs(y - expected) <= 1e-12 * MaxAbs(expected), $"outputs differ by {MaxAbs(y - expected)}");
        for (int i = 0; i < folded.Length; i++)
            Assert.True(MaxAbs(folded[i] - separate[i]) <= 1e-11 * MaxAbs(separate[i]), $"gradient {i} differs by {MaxAbs(folded[i] - separate[i])}");
    }

    [Fact]
    public void Should_fold_where_the_activation_outweighs_the_weights_and_never_for_hooked_or_training_modules()
    {
        var (conv, norm) = Pair(8, 16, 3, 1, false);
        // 8 * 3 * 3 = 72 weights per output channel: a 12x12 output (144 positions) folds, a 4x4 one (16) does not.
        using var large = zeros(1, 8, 12, 12, dtype: ScalarType.Float64);
        using var small = zeros(1, 8, 4, 4, dtype: ScalarType.Float64);
        Assert.True(ConvBatchNorm.Folds(conv, norm, large));
        Assert.False(ConvBatchNorm.Folds(conv, norm, small));
        using var smallBatch = zeros(5, 8, 4, 4, dtype: ScalarType.Float64);
        Assert.True(ConvBatchNorm.Folds(conv, norm, smallBatch));

        norm.train();
        Assert.False(ConvBatchNorm.Folds(conv, norm, large));
        norm.eval();

        Tensor? seen = null;
        var hook = conv.register_forward_hook((_, _, output) => { seen = output; return output; });
        Assert.True(ModuleHooks.Any(conv));
        Assert.False(ConvBatchNorm.Folds(conv, norm, large));
        using var x = randn(1, 8, 12, 12, dtype: ScalarType.Float64);
        ConvBatchNorm.Forward(conv, norm, x);
        // The hook saw the convolution's own output, before normalization.
        Assert.NotNull(seen);
        Assert.True(MaxAbs(seen! - F.conv2d(x, conv.weight, null, [1], [1])) <= 1e-12);
        hook.remove();
        Assert.False(ModuleHooks.Any(conv));
        Assert.True(ConvBatchNorm.Folds(conv, norm, large));
    }

    [Fact]
    public void Should_give_a_resnet_the_same_logits_and_input_gradients_folded_as_with_every_batchnorm_observed()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 10);
        model.to(ScalarType.Float64);
        using (no_grad())
        {
            var g = new Generator(11);
            foreach (var (_, module) in model.named_modules())
            {
                if (module is not TorchSharp.Modules.BatchNorm2d bn) continue;
                bn.running_mean!.copy_(randn(bn.running_mean.shape, generator: g, dtype: ScalarType.Float64) * 0.1);
                bn.running_var!.copy_(rand(bn.running_var.shape, generator: g, dtype: ScalarType.Float64) + 0.5);
                bn.weight.copy_(rand(bn.weight.shape, generator: g, dtype: ScalarType.Float64) + 0.5);
                bn.bias!.copy_(randn(bn.bias.shape, generator: g, dtype: ScalarType.Float64) * 0.1);
            }
        }
        model.eval();
        using var x = randn(new long[] { 3, 3, 64, 64 }, dtype: ScalarType.Float64, generator: new Generator(5));

        (Tensor Logits, Tensor Gradient) Run()
        {
            var input = x.detach().requires_grad_(true);
            var logits = model.call(input);
            return (logits.detach(), autograd.grad([logits[.., 1].sum()], [input])[0]);
        }

        var (folded, foldedGradient) = Run();
        // A hook on every BatchNorm makes every pair run as two modules.
        var hooks = model.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.BatchNorm2d>()
            .Select(bn => bn.register_forward_hook((_, _, output) => output)).ToList();
        Assert.True(hooks.Count >= 10);
        var (separate, separateGradient) = Run();
        hooks.ForEach(h => h.remove());
        Assert.True(MaxAbs(folded - separate) <= 1e-12 * MaxAbs(separate), $"logits differ by {MaxAbs(folded - separate)}");
        Assert.True(MaxAbs(foldedGradient - separateGradient) <= 1e-12 * MaxAbs(separateGradient), $"input gradients differ by {MaxAbs(foldedGradient - separateGradient)}");
    }
}
