namespace AutoTimm.Models.Checkpoints;

/// <summary>How the restricted unpickler treats a global a pickle names.</summary>
internal enum PickleGlobalKind
{
    /// <summary>Not interpreted: any object built from it becomes an inert <see cref="PickledObject"/>.</summary>
    Foreign,
    /// <summary>Refused wherever it appears: it can run code or touch the system, so the file is hostile.</summary>
    Denied,
    /// <summary><c>collections.OrderedDict</c>, <c>builtins.dict</c>, <c>collections.defaultdict</c>.</summary>
    Dict,
    /// <summary><c>builtins.set</c>, <c>builtins.frozenset</c>.</summary>
    Set,
    /// <summary><c>builtins.list</c>.</summary>
    List,
    /// <summary><c>builtins.tuple</c>, <c>torch.Size</c>.</summary>
    Tuple,
    /// <summary><c>_codecs.encode</c> and <c>builtins.bytearray</c> (how protocol 2 pickles bytes).</summary>
    Bytes,
    /// <summary><c>torch._utils._rebuild_tensor_v2</c>.</summary>
    RebuildTensor,
    /// <summary><c>torch._utils._rebuild_parameter</c> and <c>_rebuild_parameter_with_state</c>.</summary>
    RebuildParameter,
    /// <summary>A <c>torch.*Storage</c> class, named in persistent ids.</summary>
    StorageType,
    /// <summary><c>torch.device</c>: decoded to its text.</summary>
    Device,
}

/// <summary>
/// The allowlist of globals the restricted unpickler interprets (enough to rebuild tensors and containers), and the
/// denylist it refuses outright. Nothing is ever imported or called: interpreting means building the equivalent
/// value in managed code.
/// </summary>
internal static class PickleGlobalPolicy
{
    private static readonly Dictionary<string, PickleGlobalKind> Interpreted = new(StringComparer.Ordinal)
    {
        ["collections.OrderedDict"] = PickleGlobalKind.Dict,
        ["collections.defaultdict"] = PickleGlobalKind.Dict,
        ["builtins.dict"] = PickleGlobalKind.Dict,
        ["builtins.set"] = PickleGlobalKind.Set,
        ["builtins.frozenset"] = PickleGlobalKind.Set,
        ["builtins.list"] = PickleGlobalKind.List,
        ["builtins.tuple"] = PickleGlobalKind.Tuple,
        ["torch.Size"] = PickleGlobalKind.Tuple,
        ["_codecs.encode"] = PickleGlobalKind.Bytes,
        ["builtins.bytearray"] = PickleGlobalKind.Bytes,
        ["torch._utils._rebuild_tensor_v2"] = PickleGlobalKind.RebuildTensor,
        ["torch._utils._rebuild_parameter"] = PickleGlobalKind.RebuildParameter,
        ["torch._utils._rebuild_parameter_with_state"] = PickleGlobalKind.RebuildParameter,
        ["torch.device"] = PickleGlobalKind.Device,
    };

    /// <summary>Modules whose every member can reach the system or run code.</summary>
    private static readonly HashSet<string> DeniedModules = new(StringComparer.Ordinal)
    {
        "os", "posix", "nt", "subprocess", "sys", "shutil", "socket", "runpy", "importlib", "pty", "code", "codeop",
        "commands", "webbrowser", "ctypes", "pickle", "_pickle", "marshal", "multiprocessing", "asyncio", "pdb",
        "timeit", "cProfile", "profile", "trace", "tempfile", "urllib", "http", "ftplib", "smtplib", "telnetlib",
        "signal", "platform", "_posixsubprocess", "pip", "setuptools", "distutils",
    };

    /// <summary>Builtins and helpers that evaluate code or reach arbitrary attributes.</summary>
    private static readonly HashSet<string> DeniedGlobals = new(StringComparer.Ordinal)
    {
        "builtins.eval", "builtins.exec", "builtins.compile", "builtins.__import__", "builtins.open",
        "builtins.getattr", "builtins.setattr", "builtins.delattr", "builtins.globals", "builtins.locals",
        "builtins.vars", "builtins.input", "builtins.breakpoint", "builtins.exit", "builtins.quit", "builtins.help",
        "operator.attrgetter", "operator.methodcaller", "functools.reduce",
        "torch.load", "torch.hub.load", "torch.jit.load", "numpy.load", "io.open", "_io.open",
    };

    /// <summary>Python 2 module names protocol-2 pickles still use.</summary>
    public static string NormalizeModule(string module) => module switch
    {
        "__builtin__" => "builtins",
        "copy_reg" => "copyreg",
        _ => module,
    };

    public static PickleGlobalKind Classify(PickleGlobal global)
    {
        var module = NormalizeModule(global.Module);
        var full = $"{module}.{global.Name}";
        var root = module.Split('.')[0];
        if (DeniedModules.Contains(root) || DeniedGlobals.Contains(full)) return PickleGlobalKind.Denied;
        if (Interpreted.TryGetValue(full, out var kind)) return kind;
        if (module is "torch" or "torch.cuda" && global.Name.EndsWith("Storage", StringComparison.Ordinal)) return PickleGlobalKind.StorageType;
        return PickleGlobalKind.Foreign;
    }
}
