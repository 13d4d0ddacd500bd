namespace AutoTimm.Models.Checkpoints;

/// <summary>Key prefixes that training wrappers add to every parameter name.</summary>
internal static class WrapperPrefix
{
    /// <summary>Lightning's <c>self.model</c>, DataParallel/DDP's <c>module</c>, torch.compile's <c>_orig_mod</c>.</summary>
    public static readonly string[] Known = ["model.", "module.", "_orig_mod."];

    /// <summary>Strips known prefixes shared by every key, repeatedly; returns what was removed, or null.</summary>
    public static string? Strip(StateDict dict)
    {
        var removed = "";
        while (dict.Count > 0)
        {
            var prefix = Known.FirstOrDefault(p => dict.Names.All(n => n.Length > p.Length && n.StartsWith(p, StringComparison.Ordinal)));
            if (prefix is null) break;
            dict.RenameKeys(n => n[prefix.Length..]);
            removed += prefix;
        }
        return removed.Length == 0 ? null : removed;
    }
}
