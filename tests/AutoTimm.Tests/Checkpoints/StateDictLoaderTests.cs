using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;
using TorchSharp;

namespace AutoTimm.Tests.Checkpoints;

public sealed class StateDictLoaderTests
{
    [Theory]
    [InlineData("tiny_cnn.pth")]
    [InlineData("tiny_cnn.safetensors")]
    [InlineData("tiny_cnn_lightning.ckpt")]
    public void Should_load_pytorch_weights_and_reproduce_pytorch_logits(string file)
    {
        using var model = TinyCnn.Create();
        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch(file));
        using var input = AutoTimm.Imaging.Npy.Load(FixturePaths.PyTorch("tiny_cnn_input.npy"));
        using var expected = AutoTimm.Imaging.Npy.Load(FixturePaths.PyTorch("tiny_cnn_logits.npy"));

        var report = StateDictLoader.Load(model, checkpoint.StateDict);
        model.eval();
        using var logits = model.call(input);

        Assert.True(report.IsExactMatch, report.Describe());
        Assert.Equal(10, report.Loaded.Count);
        var maxError = (logits - expected).abs().max().item<float>();
        Assert.True(maxError < 1e-5f, $"max |logits - pytorch| = {maxError}");
    }

    [Fact]
    public void Should_copy_batchnorm_running_statistics_and_counter()
    {
        using var model = TinyCnn.Create();
        using (torch.no_grad())
        {
            model.train();
            using var warmup = model.call(torch.ones(2, 3, 8, 8)); // moves running stats and counts one batch
        }
        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.pth"));

        StateDictLoader.Load(model, checkpoint.StateDict);

        var state = model.state_dict();
        Assert.True(TensorAssert.Identical(state["bn1.running_mean"], checkpoint.StateDict["bn1.running_mean"]));
        Assert.True(TensorAssert.Identical(state["bn1.running_var"], checkpoint.StateDict["bn1.running_var"]));
        Assert.Equal(0L, state["bn1.num_batches_tracked"].item<long>());
        Assert.True(model.training, "loading must not change the training mode");
    }

    [Fact]
    public void Should_convert_half_precision_tensors_into_a_float_module()
    {
        using var model = TinyCnn.Create();
        using var half = new StateDict();
        using (var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.pth")))
        {
            foreach (var (name, tensor) in checkpoint.StateDict)
                half.Add(name, tensor.is_floating_point() ? tensor.to_type(torch.ScalarType.Float16) : tensor.clone());
        }

        StateDictLoader.Load(model, half);

        var weight = model.state_dict()["conv1.weight"];
        Assert.Equal(torch.ScalarType.Float32, weight.dtype);
        using var expected = half["conv1.weight"].to_type(torch.ScalarType.Float32);
        Assert.True(TensorAssert.Identical(weight, expected));
    }

    [Fact]
    public void Should_name_missing_unexpected_and_mismatched_keys_and_leave_the_module_unchanged()
    {
        using var model = TinyCnn.Create();
        using var before = model.state_dict()["conv1.bias"].clone();
        using var dict = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.pth")).TakeStateDict();
        dict.Remove("fc.bias");
        dict.Remove("conv1.weight");
        dict.Add("conv1.weight", torch.zeros(4, 3, 1, 1));
        for (var i = 0; i < 12; i++) dict.Add($"extra.{i}", torch.zeros(1));

        var error = Assert.Throws<CheckpointMismatchException>(() => StateDictLoader.Load(model, dict));

        Assert.Contains("1 missing from the checkpoint: fc.bias;", error.Message);
        Assert.Contains("12 unexpected in the checkpoint: extra.0, extra.1,", error.Message);
        Assert.Contains("extra.9, ... and 2 more;", error.Message);
        Assert.DoesNotContain("extra.10", error.Message);
        Assert.Contains("1 shape mismatches: conv1.weight: expected [4, 3, 3, 3], found [4, 3, 1, 1]", error.Message);
        Assert.Equal(["fc.bias"], error.Report.Missing);
        Assert.Equal(12, error.Report.Unexpected.Count);
        Assert.True(TensorAssert.Identical(model.state_dict()["conv1.bias"], before), "a failed strict load must not copy anything");
    }

    [Fact]
    public void Should_load_what_matches_when_not_strict()
    {
        using var model = TinyCnn.Create();
        using var dict = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.pth")).TakeStateDict();
        dict.Remove("fc.weight");
        dict.Add("head.weight", torch.zeros(1));

        var report = StateDictLoader.Load(model, dict, strict: false);

        Assert.Equal(["fc.weight"], report.Missing);
        Assert.Equal(["head.weight"], report.Unexpected);
        Assert.Equal(9, report.Loaded.Count);
        Assert.True(TensorAssert.Identical(model.state_dict()["fc.bias"], dict["fc.bias"]));
    }

    [Fact]
    public void Should_map_keys_and_skip_those_mapped_to_null()
    {
        using var model = TinyCnn.Create();
        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn_lightning.ckpt"), new CheckpointReadOptions { StripWrapperPrefixes = false });
        checkpoint.StateDict.Add("model.aux_head.weight", torch.zeros(1));

        var report = StateDictLoader.Load(model, checkpoint.StateDict,
            key => key.StartsWith("model.aux_head.", StringComparison.Ordinal) ? null : key["model.".Length..]);

        Assert.True(report.IsExactMatch, report.Describe());
        Assert.Throws<ArgumentException>(() => StateDictLoader.Load(model, checkpoint.StateDict, _ => "conv1.weight"));
    }

    [Fact]
    public void Should_tolerate_a_checkpoint_without_batch_counters()
    {
        using var model = TinyCnn.Create();
        using var dict = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.pth")).TakeStateDict();
        dict.Remove("bn1.num_batches_tracked");

        var report = StateDictLoader.Load(model, dict);

        Assert.True(report.IsExactMatch, report.Describe());
    }

    [Fact]
    public void Should_take_a_module_state_in_pytorch_order_as_detached_copies()
    {
        using var model = TinyCnn.Create();

        using var dict = StateDictLoader.FromModule(model);

        Assert.Equal(TinyCnn.Names, dict.Names);
        Assert.False(dict["conv1.weight"].requires_grad);
        dict["fc.bias"].fill_(7f);
        Assert.NotEqual(7f, model.state_dict()["fc.bias"][0].item<float>());
    }
}
