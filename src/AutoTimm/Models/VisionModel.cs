using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// Base of every model the toolkit builds: a TorchSharp module whose parameter names follow the PyTorch
/// model its weights come from (torchvision / timm), plus the configuration needed to rebuild it and to
/// preprocess its inputs.
/// </summary>
public abstract class VisionModel : nn.Module<Tensor, Tensor>
{
    /// <summary>
    /// Children are registered explicitly under their PyTorch names; TorchSharp's reflection-based registration
    /// would add the private fields a second time under their C# names.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>Creates the module and loads libtorch if needed.</summary>
    protected VisionModel(string name, ModelConfig config) : base(name)
    {
        ArgumentNullException.ThrowIfNull(config);
        Native.TorchRuntime.EnsureLoaded();
        Config = config;
    }

    /// <summary>Architecture, classes and preprocessing of this model.</summary>
    public ModelConfig Config { get; internal set; }

    /// <summary>
    /// Dotted name of the layer explanations use by default: the last spatial feature layer
    /// (<c>layer4</c> for a ResNet; the last block's <c>norm1</c> for a ViT).
    /// </summary>
    public abstract string DefaultTargetLayer { get; }

    /// <summary>
    /// How this model's token sequences map to a spatial grid, or null for models whose features are already
    /// spatial (<c>[N,C,H,W]</c>).
    /// </summary>
    public virtual TokenLayout? TokenLayout => null;

    /// <summary>
    /// Whether the architecture runs its convolutions on channels-last activations, so its convolution weights are
    /// laid out channels-last in eval mode (<see cref="train"/>).
    /// </summary>
    private protected virtual bool ChannelsLastConvolutions => false;

    /// <summary>
    /// Sets training or eval mode (<c>eval()</c> calls this too). A model whose convolutions run channels-last keeps
    /// their weights channels-last in eval mode, where libtorch would otherwise copy each weight into that layout on
    /// every call (about a tenth of a ResNet-50 forward), and contiguous in training mode, the layout TorchSharp's
    /// optimizers save their state in. Values do not change, only their order in memory: read a parameter's raw bytes
    /// through <c>contiguous()</c>.
    /// </summary>
    /// <param name="train">True for training mode, false for eval mode.</param>
    public override void train(bool train = true)
    {
        base.train(train);
        if (ChannelsLastConvolutions) Architectures.ChannelsLast.Weights(this, channelsLast: !train);
    }

    /// <summary>The device of the model's parameters (CPU for a model without any): where its inputs must live.</summary>
    public Device Device => parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>Moves the model's parameters and buffers to <paramref name="device"/>; explanations and predictions follow it.</summary>
    public void MoveTo(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (Device == device) return;
        this.to(device);
        MarkWeightsChanged();
    }

    private long _weightsVersion;

    /// <summary>
    /// A counter that changes whenever the library changes this model's weights (loading a checkpoint, a training
    /// step, moving to another device, a randomization check): caches of results computed from the weights compare it.
    /// Code that edits parameters in place by other means calls <see cref="MarkWeightsChanged"/>.
    /// </summary>
    public long WeightsVersion => Interlocked.Read(ref _weightsVersion);

    /// <summary>Records that the weights changed, so results cached for the previous weights are not reused.</summary>
    public void MarkWeightsChanged() => Interlocked.Increment(ref _weightsVersion);

    /// <summary>Saves weights and configuration as a native <c>.safetensors</c> checkpoint, atomically.</summary>
    public void Save(string path) => ModelCheckpoint.Save(this, path);

    /// <summary>Whether the model accepts only its configured input size (a ViT's position embeddings fix it).</summary>
    public virtual bool FixedInputSize => false;

    /// <summary>
    /// The one check of a model input batch before any work: shape <c>[N,3,H,W]</c> (at the configured size when
    /// <see cref="FixedInputSize"/>), at least one image, floating point, finite. Errors name the shape found and the
    /// shape expected.
    /// </summary>
    /// <exception cref="ArgumentException">The input does not fit; the message says how.</exception>
    public void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckShape(input);
        if (input.shape[0] == 0)
            throw new ArgumentException($"{Config.Arch}: the input batch is empty", nameof(input));
        if (!input.is_floating_point())
            throw new ArgumentException($"{Config.Arch} expects a floating-point input, got {input.dtype}", nameof(input));
        if (!Imaging.FiniteCheck.All(input))
            throw new ArgumentException($"{Config.Arch}: the input contains NaN or Inf values", nameof(input));
    }

    /// <summary>The shape part of <see cref="CheckInput"/>: cheap enough for every forward.</summary>
    protected void CheckShape(Tensor input)
    {
        var p = Config.Preprocess;
        bool ok = input.dim() == 4 && input.shape[1] == 3 && (!FixedInputSize || (input.shape[2] == p.Height && input.shape[3] == p.Width));
        if (!ok)
        {
            var expected = FixedInputSize ? $"[N,3,{p.Height},{p.Width}]" : "[N,3,H,W]";
            throw new ArgumentException(
                $"{Config.Arch} expects input of shape {expected}, got [{string.Join(",", input.shape)}]", nameof(input));
        }
    }
}
