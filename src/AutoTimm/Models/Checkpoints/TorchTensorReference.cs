namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a view (offset, size, stride in elements) of a
/// storage. Validated against the storage's element count when decoded; data is read only when materialized.
/// </summary>
internal sealed record TorchTensorReference(TorchStorageReference Storage, long Offset, long[] Size, long[] Stride);
