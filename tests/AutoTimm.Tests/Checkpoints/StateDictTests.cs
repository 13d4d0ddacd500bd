using AutoTimm.Models.Checkpoints;
using TorchSharp;

namespace AutoTimm.Tests.Checkpoints;

public sealed class StateDictTests
{
    [Fact]
    public void Should_keep_insertion_order_and_refuse_duplicate_names()
    {
        using var dict = new StateDict();
        dict.Add("b.weight", torch.ones(2));
        dict.Add("a.weight", torch.zeros(3));
        dict.Add("c", torch.tensor(5L));

        Assert.Equal(["b.weight", "a.weight", "c"], dict.Names);
        Assert.Equal(3, dict["a.weight"].numel());
        var error = Assert.Throws<ArgumentException>(() => dict.Add("a.weight", torch.ones(1)));
        Assert.Contains("'a.weight'", error.Message);
        Assert.Contains("'missing'", Assert.Throws<KeyNotFoundException>(() => dict["missing"]).Message);
    }

    [Fact]
    public void Should_dispose_owned_tensors_but_not_taken_ones()
    {
        var dict = new StateDict();
        var kept = torch.ones(2);
        var taken = torch.ones(2);
        dict.Add("kept", kept);
        dict.Add("taken", taken);

        var handedOver = dict.Take("taken");
        dict.Dispose();

        Assert.True(kept.IsInvalid);
        Assert.False(handedOver.IsInvalid);
        Assert.Equal(2f, handedOver.sum().item<float>());
        handedOver.Dispose();
        Assert.Throws<ObjectDisposedException>(() => dict.Count);
    }

    [Fact]
    public void Should_keep_tensors_alive_when_an_ambient_dispose_scope_ends()
    {
        using var dict = new StateDict();
        using (torch.NewDisposeScope())
        {
            dict.Add("w", torch.full(3, 2f));
        }

        Assert.False(dict["w"].IsInvalid);
        Assert.Equal(6f, dict["w"].sum().item<float>());
    }

    [Fact]
    public void Should_rename_keys_in_order_and_leave_everything_unchanged_on_collision()
    {
        using var dict = new StateDict();
        dict.Add("model.a", torch.ones(1));
        dict.Add("model.b", torch.ones(1));

        dict.RenameKeys(n => n["model.".Length..]);
        Assert.Equal(["a", "b"], dict.Names);

        var error = Assert.Throws<ArgumentException>(() => dict.RenameKeys(_ => "same"));
        Assert.Contains("'a' and 'b'", error.Message);
        Assert.Equal(["a", "b"], dict.Names);
    }
}
