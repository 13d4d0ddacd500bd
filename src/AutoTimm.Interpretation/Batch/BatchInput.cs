namespace AutoTimm.Interpretation.Batch;

/// <summary>One input of a batch run: the file, and the key it is known by (its path relative to the input root, with '/' separators).</summary>
/// <param name="Key">Relative path: the manifest's <c>path</c>, the shard hash's input, and the stem of the output files.</param>
/// <param name="FullPath">The file.</param>
public sealed record BatchInput(string Key, string FullPath);
