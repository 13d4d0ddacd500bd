using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>Devices by name (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>), checked against what this libtorch build has.</summary>
public static class ModelDevices
{
    /// <summary>Whether <paramref name="name"/> names a device: cpu, cuda or cuda:N.</summary>
    public static bool IsWellFormed(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return false;
        var value = name.Trim().ToLowerInvariant();
        return value is "cpu" or "cuda"
            || (value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value[5..], NumberStyles.None, CultureInfo.InvariantCulture, out _));
    }

    /// <summary>The device <paramref name="name"/> stands for, after checking this libtorch build can use it.</summary>
    /// <exception cref="ArgumentException">Not a device name.</exception>
    /// <exception cref="NotSupportedException">A CUDA device on a build or host without CUDA, or a GPU index beyond the count.</exception>
    public static Device Parse(string name)
    {
        if (!IsWellFormed(name)) throw new ArgumentException($"'{name}' is not a device; give cpu, cuda or cuda:N", nameof(name));
        Native.TorchRuntime.EnsureLoaded();
        var value = name.Trim().ToLowerInvariant();
        if (value == "cpu") return CPU;
        if (!cuda.is_available())
            throw new NotSupportedException($"--device {value}: CUDA is not available (this process runs a CPU libtorch, or the host has no GPU); reference a CUDA libtorch package instead of libtorch-cpu-linux-x64, or use cpu");
        int index = value == "cuda" ? 0 : int.Parse(value[5..], CultureInfo.InvariantCulture);
        if (index >= cuda.device_count())
            throw new NotSupportedException($"--device {value}: this host has {cuda.device_count()} GPU(s)");
        return new Device(DeviceType.CUDA, index);
    }
}
