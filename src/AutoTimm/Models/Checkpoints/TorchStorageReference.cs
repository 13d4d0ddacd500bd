using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// A storage named by a <c>torch.save</c> persistent id <c>('storage', storage_type, key, location, numel)</c>; its
/// bytes live in the zip entry <c>&lt;archive&gt;/data/&lt;key&gt;</c> and are read only when a tensor that uses it
/// is materialized.
/// </summary>
internal sealed record TorchStorageReference(string Key, string StorageType, torch.ScalarType? Type, int ElementSize, string Location, long Numel);
