using AutoTimm.Models;
using AutoTimm.Models.Architectures;

namespace AutoTimm.Tests.Models;

public sealed class EvalModeScopeTests
{
    [Fact]
    public void Should_put_every_module_in_eval_mode_for_the_call_and_restore_each_flag_after()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        model.eval();
        // A model in eval mode with one submodule a user left training: the scope still evaluates the whole model.
        var bn1 = model.named_modules().Single(m => m.name == "bn1").module;
        bn1.train();
        using (new EvalModeScope(model))
        {
            Assert.All(model.modules(), m => Assert.False(m.training));
        }
        Assert.True(bn1.training);
        Assert.False(model.training);
    }

    [Fact]
    public void Should_lay_out_a_training_models_weights_for_eval_in_the_scope_and_back_after()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        model.train();
        var conv1 = model.named_modules().Single(m => m.name == "conv1").module as TorchSharp.Modules.Conv2d;
        Assert.True(conv1!.weight!.is_contiguous());
        using (new EvalModeScope(model))
        {
            Assert.True(ChannelsLast.IsChannelsLast(conv1.weight!));
        }
        Assert.True(model.training);
        Assert.True(conv1.weight!.is_contiguous());
    }
}
