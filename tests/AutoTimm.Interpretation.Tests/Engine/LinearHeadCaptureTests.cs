using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Engine;

public sealed class LinearHeadCaptureTests
{
    [Fact]
    public void Should_give_the_gradients_of_the_backward_through_the_whole_head_bit_for_bit()
    {
        // Given a classifier and three images, explained once by class targets (the head's row path) and once by
        // targets reading the same logits that are not class targets (the backward through the whole output)
        using var model = ModelZoo.Create("resnet10_tiny", 5);
        using var scope = NewDisposeScope();
        var x = randn(3, 3, 32, 32, generator: new Generator(6));
        int[] classes = [0, 3, 4];
        var byClass = classes.Select(c => (IExplanationTarget?)new ClassTarget(c)).ToArray();
        var byLogit = classes.Select(c => (IExplanationTarget?)new LogitTarget(c)).ToArray();

        // When the gradients at the last stage and at the input are taken both ways
        using var session = new ExplanationSession(model);
        var layerRows = session.GradientsAt(x, "layer4", byClass).Gradient.CopyToArray<float>();
        var layerWhole = session.GradientsAt(x, "layer4", byLogit).Gradient.CopyToArray<float>();
        var inputRows = session.InputGradients(x, [.. byClass.Select(t => t!)]).Gradient.CopyToArray<float>();
        var inputWhole = session.InputGradients(x, [.. byLogit.Select(t => t!)]).Gradient.CopyToArray<float>();

        // Then they are equal: the head's backward meets every other row of W with an exact zero
        Assert.Equal(layerWhole, layerRows);
        Assert.Equal(inputWhole, inputRows);
        Assert.Contains(layerRows, v => v != 0);
    }

    [Fact]
    public void Should_read_only_the_explained_classes_rows_of_the_head()
    {
        // Given a classifier whose head has a NaN in the row of class 2
        using var model = ModelZoo.Create("resnet10_tiny", 5);
        using var scope = NewDisposeScope();
        var fc = (TorchSharp.Modules.Linear)model.named_modules().First(m => m.name == "fc").module;
        using (no_grad()) fc.weight![2][7] = float.NaN;
        var x = randn(1, 3, 32, 32, generator: new Generator(9));

        // When class 0 is explained by a class target, and by a target reading its logit
        using var session = new ExplanationSession(model);
        var rows = session.GradientsAt(x, "layer4", [new ClassTarget(0)]).Gradient.CopyToArray<float>();
        var whole = session.GradientsAt(x, "layer4", [new LogitTarget(0)]).Gradient.CopyToArray<float>();

        // Then the session took the row path, which never reads row 2; back through the whole head, 0 x NaN spreads
        Assert.All(rows, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(whole, float.IsNaN);
    }

    [Fact]
    public void Should_sum_the_class_scores_from_the_head_input_and_the_weight_rows()
    {
        // Given a hooked classifier after a forward
        using var model = ModelZoo.Create("resnet10_tiny", 5);
        model.eval();
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 32, 32, generator: new Generator(7));
        using var head = LinearHeadCapture.Attach(model);
        Assert.NotNull(head);
        var output = model.call(x);

        // When the scores of classes 1 and 4 are summed through the captured head
        var score = head.SumClassScores(output, [new ClassTarget(1), new ClassTarget(4)]);

        // Then the sum is the two logits' less their biases (constants, without gradient) to float rounding: each a dot
        // product of D terms summed in another order than the head's matrix product (D + 2 roundings of terms up to the
        // dot product of |x| and |W[c]|, and the bias added and taken away)
        Assert.NotNull(score);
        var logits = output.CopyToArray<float>();
        var fc = (TorchSharp.Modules.Linear)model.named_modules().First(m => m.name == "fc").module;
        var biases = fc.bias!.CopyToArray<float>();
        double expected = logits[1] - biases[1] + logits[5 + 4] - biases[4];
        var features = model.ForwardFeatures(x).abs();
        var weights = fc.weight!.abs();
        double magnitude = features[0].dot(weights[1]).item<float>() + features[1].dot(weights[4]).item<float>() + Math.Abs(biases[1]) + Math.Abs(biases[4]);
        double bound = (features.shape[1] + 2) * Math.Pow(2, -24) * magnitude;
        Assert.InRange(score.item<float>(), expected - bound, expected + bound);
    }

    [Fact]
    public void Should_decline_other_targets_other_outputs_and_models_without_a_linear_head()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 5);
        model.eval();
        using var scope = NewDisposeScope();
        var x = randn(1, 3, 32, 32, generator: new Generator(8));
        using var head = LinearHeadCapture.Attach(model)!;
        var output = model.call(x);

        // A target that is not a class, and an output that is not the head's own tensor, go through the whole output
        Assert.Null(head.SumClassScores(output, [new LogitTarget(1)]));
        Assert.Null(head.SumClassScores(output.clone(), [new ClassTarget(1)]));
        // A class outside the head is refused as the class target itself refuses it
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => head.SumClassScores(output, [new ClassTarget(5)]));
        Assert.Contains("outside the model's 5 classes", error.Message);
        // A head whose input is off the graph (the layer explained is the head itself) is declined too
        using (no_grad())
        {
            var offGraph = model.call(x);
            Assert.Null(head.SumClassScores(offGraph, [new ClassTarget(1)]));
        }
        // A model that is not a classifier has no head to hook
        using var segmenter = ModelZoo.CreateModel(new ModelConfig { Arch = "fcn_resnet10_tiny", Task = ModelTask.SemanticSegmentor, NumClasses = 3 });
        Assert.Null(LinearHeadCapture.Attach(segmenter));
    }

    // The logit of a class, as a target that is not a ClassTarget.
    private sealed class LogitTarget(int cls) : IExplanationTarget
    {
        public int? ClassIndex => cls;

        public Tensor Score(Tensor output) => output[cls];

        public string Describe(Func<int, string> labelOf) => labelOf(cls);
    }
}
