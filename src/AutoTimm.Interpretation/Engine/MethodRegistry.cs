using AutoTimm.Interpretation.Methods;
using AutoTimm.Models;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// Every explanation method by id: the CLI's choices, the figures' names and the high-level API read it. A new
/// method is one file (the explainer, its options record and its descriptor) plus one line here; methods from
/// outside this library join with <see cref="Register"/>.
/// </summary>
public static class MethodRegistry
{
    private static readonly Lock Gate = new();
    private static List<MethodDescriptor> _methods =
    [
        GradCam.Descriptor,
        GradCamPlusPlus.Descriptor,
        HiResCam.Descriptor,
        XGradCam.Descriptor,
        EigenCam.Descriptor,
        IntegratedGradients.Descriptor,
        SmoothGrad.Descriptor,
        AttentionRollout.Descriptor,
        AttentionFlow.Descriptor,
        TransformerAttribution.Descriptor,
        BaselineExplainer.RandomDescriptor,
        BaselineExplainer.CenterDescriptor,
    ];

    /// <summary>Every registered method, in registration order.</summary>
    public static IReadOnlyList<MethodDescriptor> All => _methods;

    /// <summary>Ids of the methods a run that names none includes.</summary>
    public static IReadOnlyList<string> DefaultIds => _methods.Where(m => m.RunsByDefault).Select(m => m.Id).ToList();

    /// <summary>
    /// Adds a method. Its id and aliases must not clash with a registered method's. The id names output files, so it
    /// is made of lower-case letters, digits, '_' and '-' and cannot reach outside the output folder.
    /// </summary>
    public static void Register(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        var id = method.Id ?? "";
        if (id.Length == 0 || id.Length > 64 || !id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
            throw new ArgumentException($"method id '{id}' must be 1 to 64 of a-z, 0-9, '_' and '-' (it names output files)", nameof(method));
        lock (Gate)
        {
            foreach (var name in method.Aliases.Prepend(method.Id))
                if (TryFind(name) is { } existing)
                    throw new ArgumentException($"method name '{name}' is taken by '{existing.Id}'", nameof(method));
            _methods = [.. _methods, method];
        }
    }

    /// <summary>The method a name or alias stands for (case-insensitive, '-' and '_' alike).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ids.</exception>
    public static MethodDescriptor Get(string name) => TryFind(name)
        ?? throw new ArgumentException($"unknown method '{name}'; known: {string.Join(", ", _methods.Select(m => m.Id))} (aliases: {string.Join(", ", _methods.SelectMany(m => m.Aliases))})", nameof(name));

    /// <summary>The method a name or alias stands for, or null.</summary>
    public static MethodDescriptor? TryFind(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var key = Normalize(name);
        return _methods.FirstOrDefault(m => Normalize(m.Id) == key || m.Aliases.Any(a => Normalize(a) == key));
    }

    /// <summary>Creates the explainer for a method name on a model, after checking it applies.</summary>
    /// <exception cref="NotSupportedException">The method does not apply to the model; the message says why.</exception>
    public static Explainer Create(string name, VisionModel model, ExplanationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var method = Get(name);
        if (method.NotApplicableBecause(model) is { } why) throw new NotSupportedException($"{method.Id}: {why}");
        return method.Instantiate(model, options ?? ExplanationOptions.Default);
    }

    /// <summary>The display name of a method id, or the id itself when unknown.</summary>
    public static string DisplayName(string id) => TryFind(id)?.DisplayName ?? id;

    private static string Normalize(string name) => name.Trim().ToLowerInvariant().Replace('-', '_');
}
