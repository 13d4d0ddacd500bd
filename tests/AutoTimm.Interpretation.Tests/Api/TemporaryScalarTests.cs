using Mono.Cecil;
using Mono.Cecil.Cil;
using TorchSharp;

namespace AutoTimm.Interpretation.Tests.Api;

/// <summary>
/// No library code hands libtorch a temporary <see cref="Scalar"/>. TorchSharp keeps nothing alive across its native
/// calls, so a Scalar made for one call (<c>t * 2.0</c>, <c>a + b</c>, whose alpha is a fresh 1, <c>clamp(0, 1)</c>)
/// can be finalized by another thread's collection while libtorch reads it (docs/torchsharp-notes.md). The IL of both
/// libraries is scanned for Scalar conversions that are neither kept in a field nor disposed by a <c>using</c>, and
/// for calls to TorchSharp methods that make such a temporary inside (found the same way in TorchSharp's own IL).
/// </summary>
public sealed class TemporaryScalarTests
{
    [Fact]
    public void Should_pass_only_kept_scalars_to_libtorch()
    {
        var torchSharp = Read(typeof(torch).Assembly.Location, symbols: false);
        var makers = TemporaryMakers(torchSharp);

        var sites = new List<string>();
        foreach (var assembly in new[] { typeof(AutoTimm.Models.VisionModel).Assembly, typeof(Explain).Assembly })
        {
            var module = Read(assembly.Location, symbols: true);
            // Scalars is where kept Scalars are made.
            foreach (var method in module.GetTypes().Where(t => (t.DeclaringType ?? t).FullName != "AutoTimm.Native.Scalars").SelectMany(t => t.Methods).Where(m => m.HasBody))
            {
                foreach (var instruction in method.Body.Instructions)
                {
                    if (instruction.Operand is not MethodReference callee) continue;
                    string? what = IsConversion(callee) ? (IsTemporary(method, instruction) ? "a temporary Scalar" : null)
                        : makers.Contains(callee.FullName) ? $"{callee.DeclaringType.FullName}::{callee.Name}, which makes one inside"
                        : null;
                    if (what is null) continue;
                    var owner = method.DeclaringType.DeclaringType ?? method.DeclaringType; // lambdas and local functions
                    sites.Add($"{Location(method, instruction)}: {what} ({owner.FullName}.{Caller(method)})");
                }
            }
        }

        Assert.True(sites.Count == 0, $"{sites.Count} call sites pass libtorch a temporary Scalar; use AutoTimm.Native.Scalars (One, Of(constant), OneMinus) " +
            $"or `using Scalar s = value;` for per-call values:\n{string.Join("\n", sites.Distinct())}");
    }

    [Fact]
    public void Should_recognize_the_temporaries_it_is_meant_to_find()
    {
        var makers = TemporaryMakers(Read(typeof(torch).Assembly.Location, symbols: false));

        // add(Tensor) is add(target, 1); square() is pow(2); add(Tensor, Scalar) and mul(Scalar) take the caller's Scalar.
        Assert.Contains(makers, m => m.EndsWith("Tensor::add(TorchSharp.torch/Tensor)", StringComparison.Ordinal));
        Assert.Contains(makers, m => m.EndsWith("Tensor::square()", StringComparison.Ordinal));
        Assert.Contains(makers, m => m.Contains("Tensor::op_Addition(TorchSharp.torch/Tensor,TorchSharp.torch/Tensor)", StringComparison.Ordinal));
        Assert.DoesNotContain(makers, m => m.EndsWith("Tensor::add(TorchSharp.torch/Tensor,TorchSharp.Scalar)", StringComparison.Ordinal));
        Assert.DoesNotContain(makers, m => m.EndsWith("Tensor::mul(TorchSharp.Scalar)", StringComparison.Ordinal));
    }

    /// <summary>TorchSharp methods that make a temporary Scalar themselves or through up to two further calls.</summary>
    private static HashSet<string> TemporaryMakers(ModuleDefinition torchSharp)
    {
        var methods = torchSharp.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody).ToList();
        var makers = methods.Where(m => !IsConversion(m) && m.Body.Instructions.Any(i => IsTemporary(m, i))).Select(m => m.FullName).ToHashSet(StringComparer.Ordinal);
        for (var depth = 1; depth < 3; depth++)
        {
            var callers = methods.Where(m => !IsConversion(m) && !makers.Contains(m.FullName) && m.Body.Instructions.Any(i => i.Operand is MethodReference r && makers.Contains(r.FullName)))
                .Select(m => m.FullName).ToList();
            makers.UnionWith(callers);
        }
        return makers;
    }

    /// <summary>A conversion to Scalar whose result is neither stored in a field nor held by a local that is disposed.</summary>
    private static bool IsTemporary(MethodDefinition method, Instruction instruction)
    {
        if (instruction.Operand is not MethodReference callee || !IsConversion(callee)) return false;
        var next = instruction.Next;
        if (next is null) return true;
        if (next.OpCode.Code is Code.Stfld or Code.Stsfld) return false;
        return LocalIndex(method, next, store: true) is not { } local || !IsDisposed(method, local);
    }

    private static bool IsConversion(MethodReference method) =>
        (method.DeclaringType.FullName == "TorchSharp.Scalar" && method.Name == "op_Implicit")
        || (method.DeclaringType.FullName == "TorchSharp.ScalarExtensionMethods" && method.Name == "ToScalar");

    private static bool IsDisposed(MethodDefinition method, int local) =>
        method.Body.Instructions.Any(i => LocalIndex(method, i, store: false) == local && i.Next?.Operand is MethodReference { Name: "Dispose" });

    private static int? LocalIndex(MethodDefinition method, Instruction instruction, bool store) => (instruction.OpCode.Code, store) switch
    {
        (Code.Stloc_0, true) or (Code.Ldloc_0, false) => 0,
        (Code.Stloc_1, true) or (Code.Ldloc_1, false) => 1,
        (Code.Stloc_2, true) or (Code.Ldloc_2, false) => 2,
        (Code.Stloc_3, true) or (Code.Ldloc_3, false) => 3,
        (Code.Stloc_S or Code.Stloc, true) or (Code.Ldloc_S or Code.Ldloc, false) => ((VariableDefinition)instruction.Operand).Index,
        _ => null,
    };

    private static string Caller(MethodDefinition method)
    {
        // <Compute>b__2 and <Run>g__RegionPixels|2 name the method they were written in.
        var name = method.Name;
        var open = name.IndexOf('<');
        var close = name.IndexOf('>');
        return open == 0 && close > 0 ? name[1..close] : name;
    }

    private static string Location(MethodDefinition method, Instruction instruction)
    {
        var points = method.DebugInformation.SequencePoints;
        var point = points.LastOrDefault(p => p.Offset <= instruction.Offset && !p.IsHidden);
        return point is null ? method.FullName : $"{Path.GetFileName(point.Document.Url)}:{point.StartLine}";
    }

    private static ModuleDefinition Read(string path, bool symbols) =>
        ModuleDefinition.ReadModule(path, new ReaderParameters { ReadSymbols = symbols && File.Exists(Path.ChangeExtension(path, ".pdb")) });
}
