using System.Text;
using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;

namespace AutoTimm.Tests.Checkpoints;

public sealed class RestrictedUnpicklerTests
{
    private const string OsSystemMarker = "/tmp/autotimm-checkpoint-pwned-os-system";
    private const string EvalMarker = "/tmp/autotimm-checkpoint-pwned-eval";

    [Theory]
    [InlineData("malicious_os_system.pth", "os.system", OsSystemMarker)]
    [InlineData("malicious_builtins_eval.pth", "builtins.eval", EvalMarker)]
    [InlineData("malicious_lightning_hparams.ckpt", "os.system", OsSystemMarker)]
    public void Should_refuse_a_pickle_that_would_run_code_without_running_it(string file, string global, string marker)
    {
        File.Delete(marker);

        var error = Assert.Throws<UnsafeCheckpointException>(() => CheckpointReader.Read(FixturePaths.PyTorch(file)));

        Assert.Equal(global, error.Global);
        Assert.Contains(global, error.Message);
        Assert.Contains("Nothing was executed", error.Message);
        Assert.False(File.Exists(marker), $"{marker} exists: the payload ran");
    }

    [Fact]
    public void Should_refuse_a_foreign_object_inside_the_state_dict()
    {
        var error = Assert.Throws<UnsafeCheckpointException>(() => CheckpointReader.Read(FixturePaths.PyTorch("foreign_in_state_dict.ckpt")));

        Assert.Equal("__main__.Sneaky", error.Global);
        Assert.Contains("'model.evil' in 'state_dict'", error.Message);
    }

    [Fact]
    public void Should_refuse_a_whole_pickled_module_naming_its_class()
    {
        var error = Assert.Throws<UnsafeCheckpointException>(() => CheckpointReader.Read(FixturePaths.PyTorch("whole_module.pth")));

        Assert.Equal("torch.nn.modules.container.Sequential", error.Global);
        Assert.Contains("model.state_dict()", error.Message);
    }

    [Fact]
    public void Should_decode_containers_memo_and_numbers_of_protocol_2()
    {
        // {'a': [1, -2, 3.5, True, None, 'x'], 'b': (b'\x00\xff', 2**70)} with memo reuse of the list.
        var pickle = Bytes(0x80, 0x02, '}', 'q', 0, '(', 'X', 1, 0, 0, 0, 'a', ']', 'q', 1, '(', 'K', 1, 'J', 0xfe, 0xff, 0xff, 0xff,
            'G', 0x40, 0x0c, 0, 0, 0, 0, 0, 0, 0x88, 'N', 0x8c, 1, 'x', 'e', 'X', 1, 0, 0, 0, 'b',
            'C', 2, 0x00, 0xff, 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x86, 'X', 1, 0, 0, 0, 'c', 'h', 1, 'u', '.');

        var root = Assert.IsType<PickleDict>(new RestrictedUnpickler(pickle, "test").Load());

        Assert.True(root.TryGet("a", out var a));
        Assert.Equal(new object?[] { 1L, -2L, 3.5, true, null, "x" }, Assert.IsType<List<object?>>(a));
        Assert.True(root.TryGet("b", out var b));
        var tuple = Assert.IsType<PickleTuple>(b);
        Assert.Equal(new byte[] { 0, 255 }, tuple[0]);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 70), tuple[1]);
        Assert.True(root.TryGet("c", out var c));
        Assert.Same(a, c);
    }

    [Fact]
    public void Should_keep_an_unknown_class_as_an_inert_placeholder()
    {
        // argparse.Namespace() via NEWOBJ, then BUILD with {'lr': 0.5}.
        var pickle = Concat(Bytes(0x80, 0x02), Ascii("cargparse\nNamespace\n"), Bytes(')', 0x81, '}', 'X', 2, 0, 0, 0, 'l', 'r', 'G', 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 's', 'b', '.'));

        var placeholder = Assert.IsType<PickledObject>(new RestrictedUnpickler(pickle, "test").Load());

        Assert.Equal("argparse.Namespace", placeholder.TypeName);
        Assert.True(Assert.IsType<PickleDict>(placeholder.State).TryGet("lr", out var lr));
        Assert.Equal(0.5, lr);
    }

    [Fact]
    public void Should_survive_deeply_nested_input_without_recursing()
    {
        // 200 000 nested one-element tuples, then used as a dict key.
        var body = new List<byte> { 0x80, 0x02, (byte)'}', (byte)'N' };
        for (var i = 0; i < 200_000; i++) body.Add(0x85);
        body.AddRange(Bytes('N', 's', '.'));

        var root = Assert.IsType<PickleDict>(new RestrictedUnpickler(body.ToArray(), "test").Load());

        Assert.Equal(1, root.Count);
    }

    [Fact]
    public void Should_stop_a_pickle_that_multiplies_its_size_by_copying_containers()
    {
        // A 100 000-element list, then list(memo[0]) over and over: quadratic work from linear input.
        var body = new List<byte> { 0x80, 0x02 };
        body.AddRange(Ascii("cbuiltins\nlist\nq\u0001"));
        body.AddRange(Bytes(']', 'q', 0, '('));
        for (var i = 0; i < 100_000; i++) body.Add((byte)'N');
        body.Add((byte)'e');
        for (var i = 0; i < 5_000; i++) body.AddRange(Bytes('h', 1, 'h', 0, 0x85, 'R', '0'));
        body.Add((byte)'.');

        var error = Assert.Throws<CheckpointFormatException>(() => new RestrictedUnpickler(body.ToArray(), "test").Load());

        Assert.Contains("copies containers far beyond its own size", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'h', 7, (byte)'.' }, "memo index 7 was never stored")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'X', 0xff, 0xff, 0xff, 0x7f, (byte)'a' }, "exceeds the 1 that remain")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'N' }, "ends before STOP")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'.' }, "stack underflow")]
    [InlineData(new byte[] { 0x80, 0x02, 0xfe, (byte)'.' }, "unsupported or invalid opcode 0xfe")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'N', (byte)'N', (byte)'R', (byte)'.' }, "REDUCE arguments are None")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'K', 1, (byte)')', (byte)'R', (byte)'.' }, "REDUCE calls 1, which is not callable")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'K', 1, (byte)'Q', (byte)'.' }, "persistent id 1 is not")]
    public void Should_refuse_malformed_pickles_with_a_clear_message(byte[] pickle, string message)
    {
        var error = Assert.Throws<CheckpointFormatException>(() => new RestrictedUnpickler(pickle, "test.pkl").Load());

        Assert.Contains(message, error.Message);
        Assert.Contains("test.pkl", error.Message);
    }

    [Theory]
    [InlineData("posix", "system")]
    [InlineData("__builtin__", "exec")]
    [InlineData("subprocess", "Popen")]
    [InlineData("builtins", "getattr")]
    public void Should_refuse_denied_globals_at_first_sight(string module, string name)
    {
        var pickle = Concat(Bytes(0x80, 0x02), Ascii($"c{module}\n{name}\n"), Bytes('.'));

        var error = Assert.Throws<UnsafeCheckpointException>(() => new RestrictedUnpickler(pickle, "test").Load());

        Assert.Equal($"{(module == "__builtin__" ? "builtins" : module)}.{name}", error.Global);
    }

    private static byte[] Bytes(params object[] items) => items.Select(i => i is char c ? (byte)c : Convert.ToByte(i)).ToArray();

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
