using AutoTimm.Imaging;
using AutoTimm.Models.Architectures;

namespace AutoTimm.Models;

/// <summary>
/// Architectures by timm-style name. Every model keeps its PyTorch parameter names, so weights trained in
/// PyTorch (torchvision, timm) or by <c>autotimm train</c> load by name.
/// </summary>
public static class ModelZoo
{
    private sealed record Entry(string Description, PreprocessConfig Preprocess, ModelTask Task, Func<ModelConfig, VisionModel> Create);

    private static readonly PreprocessConfig TorchvisionPreprocess = PreprocessConfig.ImageNet;

    private static readonly PreprocessConfig TimmVitPreprocess = new()
    {
        Mean = [0.5f, 0.5f, 0.5f],
        Std = [0.5f, 0.5f, 0.5f],
        Interpolation = ResizeInterpolation.Bicubic,
        CropPct = 0.9f,
    };

    private static readonly Dictionary<string, Entry> Entries = BuildEntries();

    /// <summary>Every known architecture name, sorted.</summary>
    public static IReadOnlyList<string> Architectures { get; } = Entries.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>One-line description of an architecture.</summary>
    public static string Describe(string arch) => Lookup(arch).Description;

    /// <summary>The task an architecture solves.</summary>
    public static ModelTask TaskOf(string arch) => Lookup(arch).Task;

    /// <summary>Default preprocessing of an architecture (input size, mean, std, resize policy).</summary>
    public static PreprocessConfig DefaultPreprocess(string arch) => Lookup(arch).Preprocess;

    /// <summary>Creates a freshly initialised classifier.</summary>
    /// <param name="arch">Architecture name, e.g. <c>resnet18</c> or <c>vit_tiny_patch16_224</c>.</param>
    /// <param name="numClasses">Number of output classes.</param>
    /// <param name="preprocess">Preprocessing; the architecture's default when null.</param>
    /// <param name="classNames">Optional class names.</param>
    /// <exception cref="UnknownArchitectureException">The name is not in the zoo.</exception>
    public static ImageClassifier Create(string arch, int numClasses, PreprocessConfig? preprocess = null, IReadOnlyList<string>? classNames = null) =>
        Create(ConfigFor(arch, numClasses, preprocess, classNames));

    /// <summary>Creates a freshly initialised classifier from a full configuration (e.g. a checkpoint's).</summary>
    /// <exception cref="ArgumentException">The architecture is a detector or a segmenter.</exception>
    public static ImageClassifier Create(ModelConfig config) =>
        CreateModel(config) as ImageClassifier ?? throw new ArgumentException($"{config.Arch} is a {config.Task}, not an image classifier", nameof(config));

    /// <summary>The configuration of a new model of <paramref name="arch"/>: its task and default preprocessing unless given.</summary>
    public static ModelConfig ConfigFor(string arch, int numClasses, PreprocessConfig? preprocess = null, IReadOnlyList<string>? classNames = null)
    {
        var entry = Lookup(arch);
        return new ModelConfig
        {
            Task = entry.Task,
            Arch = arch,
            NumClasses = numClasses,
            Preprocess = preprocess ?? entry.Preprocess,
            ClassNames = classNames,
        };
    }

    /// <summary>Creates a freshly initialised model of any task (classifier, detector, segmenter) from a full configuration.</summary>
    /// <exception cref="ArgumentException">The configuration's task is not the architecture's.</exception>
    public static VisionModel CreateModel(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.ClassNames is { } names && names.Count != config.NumClasses)
            throw new ArgumentException($"{names.Count} class names given for {config.NumClasses} classes", nameof(config));
        var entry = Lookup(config.Arch);
        if (config.Task != entry.Task)
            throw new ArgumentException($"{config.Arch} is a {entry.Task}; the configuration says {config.Task}", nameof(config));
        return entry.Create(config);
    }

    private static Entry Lookup(string arch)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(arch);
        return Entries.TryGetValue(arch, out var entry)
            ? entry
            : throw new UnknownArchitectureException(arch, Architectures);
    }

    private static Dictionary<string, Entry> BuildEntries()
    {
        int[] tv = [64, 128, 256, 512];
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);

        void AddResNet(string name, bool bottleneck, int[] layers, int[] widths, bool small, string description, PreprocessConfig preprocess)
        {
            var spec = new ResNetSpec(bottleneck, layers, widths, small);
            entries[name] = new Entry(description, preprocess, ModelTask.ImageClassifier, config => new ResNet(spec, config));
        }

        AddResNet("resnet18", false, [2, 2, 2, 2], tv, false, "ResNet-18 (torchvision)", TorchvisionPreprocess);
        AddResNet("resnet34", false, [3, 4, 6, 3], tv, false, "ResNet-34 (torchvision)", TorchvisionPreprocess);
        AddResNet("resnet50", true, [3, 4, 6, 3], tv, false, "ResNet-50 (torchvision)", TorchvisionPreprocess);
        AddResNet("resnet101", true, [3, 4, 23, 3], tv, false, "ResNet-101 (torchvision)", TorchvisionPreprocess);
        AddResNet("resnet152", true, [3, 8, 36, 3], tv, false, "ResNet-152 (torchvision)", TorchvisionPreprocess);

        var small = new PreprocessConfig { Height = 64, Width = 64, CropPct = 1.0f };
        AddResNet("resnet18_small", false, [2, 2, 2, 2], tv, true, "ResNet-18 with a 3x3 stride-1 stem and no max-pool, for 32-96 px images", small);
        AddResNet("resnet34_small", false, [3, 4, 6, 3], tv, true, "ResNet-34 with a small-image stem", small);
        AddResNet("resnet10_small", false, [1, 1, 1, 1], [32, 64, 128, 256], true, "narrow 10-layer ResNet with a small-image stem (32..256 channels)", small);
        AddResNet("resnet10_tiny", false, [1, 1, 1, 1], [16, 32, 64, 128], true, "very narrow 10-layer ResNet with a small-image stem (16..128 channels)", small);

        void AddVit(string name, VitSpec spec, string description)
        {
            var preprocess = TimmVitPreprocess with { Height = spec.ImageSize, Width = spec.ImageSize, CropPct = spec.ImageSize >= 224 ? 0.9f : 1.0f };
            entries[name] = new Entry(description, preprocess, ModelTask.ImageClassifier, config =>
            {
                if (config.Preprocess.Height != spec.ImageSize || config.Preprocess.Width != spec.ImageSize)
                    throw new ArgumentException(
                        $"{name} takes {spec.ImageSize}x{spec.ImageSize} inputs; the configuration asks for {config.Preprocess.Height}x{config.Preprocess.Width}");
                return new VisionTransformer(spec, config);
            });
        }

        AddVit("vit_tiny_patch16_224", new VitSpec { EmbedDim = 192, Depth = 12, NumHeads = 3 }, "ViT-Ti/16 (timm)");
        AddVit("vit_small_patch16_224", new VitSpec { EmbedDim = 384, Depth = 12, NumHeads = 6 }, "ViT-S/16 (timm)");
        AddVit("vit_base_patch16_224", new VitSpec { EmbedDim = 768, Depth = 12, NumHeads = 12 }, "ViT-B/16 (timm)");
        AddVit("vit_pico_patch8_64", new VitSpec { ImageSize = 64, PatchSize = 8, EmbedDim = 96, Depth = 6, NumHeads = 3 },
            "small ViT for 64 px images: 8x8 patches, width 96, 6 blocks, 3 heads");
        AddVit("vit_pico_convstem_patch8_64", new VitSpec { ImageSize = 64, PatchSize = 8, EmbedDim = 96, Depth = 6, NumHeads = 3, StemChannels = [32, 64, 128] },
            "small ViT for 64 px images with a convolutional stem (three stride-2 3x3 convolutions, 32-64-128 channels, then a 1x1 projection) instead of the linear 8x8 patch projection: width 96, 6 blocks, 3 heads");
        AddVit("vit_femto_patch8_32", new VitSpec { ImageSize = 32, PatchSize = 8, EmbedDim = 48, Depth = 2, NumHeads = 3 },
            "very small ViT for 32 px images and tests: width 48, 2 blocks, 3 heads");

        var resnet50 = new ResNetSpec(true, [3, 4, 6, 3], tv, false);
        var tiny = new ResNetSpec(false, [1, 1, 1, 1], [16, 32, 64, 128], true);
        var detection = PreprocessConfig.ImageNet with { Height = 800, Width = 800, CropPct = 1.0f };
        var smallDetection = detection with { Height = 96, Width = 96 };
        void AddFcos(string name, FcosSpec spec, PreprocessConfig preprocess, string description) =>
            entries[name] = new Entry(description, preprocess, ModelTask.ObjectDetector, config => new Fcos(spec, config));
        AddFcos("fcos_resnet50_fpn", new FcosSpec { Backbone = resnet50 }, detection,
            "FCOS on ResNet-50 with P3-P7 (torchvision's fcos_resnet50_fpn; its state_dict loads by name)");
        AddFcos("fcos_resnet10_tiny_fpn", new FcosSpec { Backbone = tiny, ReturnedStages = [3, 4], PyramidChannels = 64, HeadConvs = 2, AnchorSizes = [4, 8, 16, 32] },
            smallDetection, "small FCOS for 64-128 px images: resnet10_tiny stages 3-4 (strides 4, 8) with P6 and P7, 64-channel pyramid, 2-conv head");

        var segmentation = PreprocessConfig.ImageNet with { Height = 520, Width = 520, CropPct = 1.0f };
        var smallSegmentation = segmentation with { Height = 96, Width = 96 };
        var dilated = resnet50 with { ReplaceStrideWithDilation = [false, true, true] };
        void AddSegmentation(string name, SegmentationSpec spec, PreprocessConfig preprocess, string description) =>
            entries[name] = new Entry(description, preprocess, ModelTask.SemanticSegmentor, config => new SegmentationNet(spec, config));
        AddSegmentation("fcn_resnet50", new SegmentationSpec { Backbone = dilated, Head = SegmentationHead.Fcn }, segmentation,
            "FCN on a dilated ResNet-50, output stride 8 (torchvision's fcn_resnet50 without the auxiliary head)");
        AddSegmentation("deeplabv3_resnet50", new SegmentationSpec { Backbone = dilated, Head = SegmentationHead.DeepLabV3 }, segmentation,
            "DeepLabV3 (ASPP rates 12, 24, 36) on a dilated ResNet-50 (torchvision's deeplabv3_resnet50 without the auxiliary head)");
        AddSegmentation("fcn_resnet10_tiny", new SegmentationSpec { Backbone = tiny, Head = SegmentationHead.Fcn }, smallSegmentation,
            "small FCN for 64-128 px images on resnet10_tiny (output stride 8)");
        AddSegmentation("deeplabv3_resnet10_tiny", new SegmentationSpec { Backbone = tiny, Head = SegmentationHead.DeepLabV3, AtrousRates = [2, 4, 6], AsppChannels = 64 },
            smallSegmentation, "small DeepLabV3 for 64-128 px images on resnet10_tiny (output stride 8, ASPP rates 2, 4, 6, 64 channels)");
        return entries;
    }
}

/// <summary>An architecture name that is not in the <see cref="ModelZoo"/>.</summary>
public sealed class UnknownArchitectureException(string arch, IEnumerable<string> known)
    : ArgumentException($"unknown architecture '{arch}'; known: {string.Join(", ", known)}")
{
    /// <summary>The name asked for.</summary>
    public string Arch { get; } = arch;
}
