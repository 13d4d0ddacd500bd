using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// Whether a module has forward hooks: a module someone observes must run its own <c>forward</c> through
/// <c>call</c>, so a fused shortcut around it is not taken. TorchSharp keeps the hooks in protected dictionaries of
/// <c>HookableModule</c>; when they cannot be read (another TorchSharp version), every module counts as hooked, which
/// only turns the shortcuts off.
/// </summary>
internal static class ModuleHooks
{
    private static readonly string[] FieldNames = ["pre_hooks", "post_hooks", "module_pre_hooks", "module_post_hooks"];
    private static readonly ConcurrentDictionary<Type, FieldInfo[]?> Fields = new();

    /// <summary>True when <paramref name="module"/> has a forward hook or pre-hook, or when that cannot be told.</summary>
    public static bool Any(nn.Module module)
    {
        var fields = Fields.GetOrAdd(module.GetType(), FieldsOf);
        if (fields is null) return true;
        foreach (var field in fields)
            if (field.GetValue(module) is not ICollection { Count: 0 }) return true;
        return false;
    }

    private static FieldInfo[]? FieldsOf(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (!t.IsGenericType || t.GetGenericTypeDefinition().Name != "HookableModule`2") continue;
            var fields = FieldNames.Select(n => t.GetField(n, BindingFlags.Instance | BindingFlags.NonPublic))
                .OfType<FieldInfo>().Where(f => typeof(ICollection).IsAssignableFrom(f.FieldType)).ToArray();
            return fields.Length == FieldNames.Length ? fields : null;
        }
        return null;
    }
}
