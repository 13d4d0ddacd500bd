using System.Text;
using AutoTimm.Imaging;
using AutoTimm.Models.Checkpoints;

namespace AutoTimm.Fuzz;

/// <summary>The parsers that read untrusted files: everything a user can point the library at.</summary>
public static class FuzzTargets
{
    private static readonly string ScratchFolder = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Image decoding (PNG, JPEG, BMP, WebP through SkiaSharp, with the signature and size checks before it).</summary>
    public static readonly FuzzTarget Image = new("image", "ImageIO.Load(bytes): signature sniffing, header checks, Skia decoding, EXIF orientation",
        () => "fuzz-input-image", (bytes, source) => ImageIO.Load(bytes, source), typeof(ImageDecodeException));

    /// <summary>A checkpoint file read as a file: format detection, then safetensors or the torch.save zip reader.</summary>
    public static readonly FuzzTarget Safetensors = CheckpointFile("safetensors", "CheckpointReader.Read on safetensors files: header JSON, layout, dtypes, metadata config");

    /// <summary>A torch.save zip read as a file.</summary>
    public static readonly FuzzTarget TorchZip = CheckpointFile("torchzip", "CheckpointReader.Read on torch.save zips: zip directory, restricted unpickler, storages, views");

    /// <summary>
    /// torch.save zips whose stored entries get their CRC-32s recomputed after mutation: the reader refuses a mismatch
    /// first, so only this way do mutated storages, pickles and views reach the code behind the check.
    /// </summary>
    public static readonly FuzzTarget TorchZipContent = CheckpointFile("torchzip-content",
        "CheckpointReader.Read on torch.save zips with their CRC-32s repaired after mutation: storages, views, pickles inside a valid zip",
        ZipChecksums.Repair, corpus: "torchzip");

    /// <summary>The restricted unpickler on a bare pickle stream (what a zip's data.pkl holds).</summary>
    public static readonly FuzzTarget Pickle = new("pickle", "RestrictedUnpickler on data.pkl streams: opcodes, memo, globals policy, tensor rebuilds",
        () => "fuzz-input.pkl", (bytes, source) => new RestrictedUnpickler(bytes, source).Load(), typeof(CheckpointException));

    /// <summary>numpy <c>.npy</c> arrays.</summary>
    public static readonly FuzzTarget Npy = new("npy", "Npy parsing: magic, header dict, dtype, shape, data length; then the tensor",
        () => "fuzz-input.npy", (bytes, source) =>
        {
            using var tensor = Imaging.Npy.ToTensor(Imaging.Npy.Parse(bytes, source));
        }, typeof(InvalidDataException));

    /// <summary>The model config JSON that checkpoints carry in their metadata. Its caller adds the file name.</summary>
    public static readonly FuzzTarget ModelConfig = new("config", "ModelConfigJson.FromJson: the checkpoint metadata's model config",
        null, (bytes, _) => ModelConfigJson.FromJson(Encoding.UTF8.GetString(bytes)), typeof(CheckpointFormatException));

    /// <summary>ONNX model files: the protocol buffers, the graph checks and external-data declarations.</summary>
    public static readonly FuzzTarget Onnx = ModelFile("onnx", "OnnxFile.Read: ModelProto parsing, graph and opset checks, external-data locations and ranges",
        file => Models.Onnx.OnnxFile.Read(file));

    /// <summary>Every target, in a stable order.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } = [Image, Safetensors, TorchZip, TorchZipContent, Pickle, Npy, ModelConfig, Onnx];

    /// <summary>The target called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No target has that name.</exception>
    public static FuzzTarget Named(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"No fuzz target '{name}'; the targets are {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));

    private static FuzzTarget CheckpointFile(string name, string description, Func<byte[], byte[]>? prepare = null, string? corpus = null) =>
        ModelFile(name, description, file =>
        {
            using var checkpoint = CheckpointReader.Read(file);
        }, prepare, corpus);

    /// <summary>A target that writes each input to a scratch file and reads it with <paramref name="read"/>.</summary>
    private static FuzzTarget ModelFile(string name, string description, Action<string> read, Func<byte[], byte[]>? prepare = null, string? corpus = null)
    {
        var path = Path.Combine(ScratchFolder, $"autotimm-fuzz-{Environment.ProcessId}-{name}.bin");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return new FuzzTarget(name, description, () => path, (bytes, file) =>
        {
            File.WriteAllBytes(file, prepare is null ? bytes : prepare(bytes));
            read(file);
        }, typeof(CheckpointException)) { CorpusName = corpus ?? name };
    }
}
