using AutoTimm.Interpretation.Targets;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Engine;

/// <summary>The embedding-norm target: its value and gradient by hand, and its refusal of batched outputs.</summary>
public sealed class OutputNormTargetTests
{
    [Fact]
    public void Scores_the_l2_norm_whose_gradient_is_the_unit_vector()
    {
        using var output = tensor(new float[] { 3, 0, -4 }).requires_grad_();
        using var score = new OutputNormTarget().Score(output);
        Assert.Equal(5f, score.item<float>());
        score.backward();
        Assert.Equal(new[] { 0.6f, 0f, -0.8f }, output.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Names_itself_and_stands_for_no_class()
    {
        var target = new OutputNormTarget();
        Assert.Null(target.ClassIndex);
        Assert.Equal("output norm", target.Describe(i => $"class {i}"));
        Assert.Equal(target, new OutputNormTarget());
    }

    [Fact]
    public void Refuses_an_output_with_a_batch_axis()
    {
        using var batched = zeros(2, 4);
        var error = Assert.Throws<ArgumentException>(() => new OutputNormTarget().Score(batched));
        Assert.Contains("this output is [2,4]", error.Message);
    }
}
