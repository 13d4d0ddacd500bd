namespace AutoTimm.Fuzz;

/// <summary>
/// One parser under fuzzing: how to feed it bytes, and which exceptions are its documented way of refusing them.
/// Every other exception is a finding, and so is a refusal whose message does not name the input.
/// </summary>
public sealed class FuzzTarget
{
    private readonly Action<byte[], string> _parse;
    private readonly Type[] _rejections;
    private readonly Func<string> _source;

    /// <param name="name">The target's name on the command line and its corpus folder.</param>
    /// <param name="description">What the target exercises.</param>
    /// <param name="source">The name the parser is given for its input (a file path for file-based targets); its
    /// messages must contain it. Null for parsers that take no name.</param>
    /// <param name="parse">Feeds the bytes to the parser, under the given source name.</param>
    /// <param name="rejections">The exception types (and their subclasses) by which the parser refuses bad input.</param>
    public FuzzTarget(string name, string description, Func<string>? source, Action<byte[], string> parse, params Type[] rejections)
    {
        Name = name;
        CorpusName = name;
        Description = description;
        NamesInput = source is not null;
        _source = source ?? (() => "");
        _parse = parse;
        _rejections = rejections;
    }

    /// <summary>The target's name on the command line and its corpus folder.</summary>
    public string Name { get; }

    /// <summary>What the target exercises.</summary>
    public string Description { get; }

    /// <summary>The folder under <c>fuzz/corpus</c> (and <c>fuzz/crashers</c>) its inputs come from; its name unless shared.</summary>
    public string CorpusName { get; init; }

    /// <summary>Whether refusals must name the input.</summary>
    public bool NamesInput { get; }

    /// <summary>Runs the parser on <paramref name="input"/> and judges the outcome. Never throws.</summary>
    public FuzzOutcome Run(byte[] input)
    {
        var source = _source();
        try
        {
            _parse(input, source);
            return FuzzOutcome.Accepted;
        }
        catch (Exception e) when (_rejections.Any(t => t.IsInstanceOfType(e)))
        {
            if (string.IsNullOrWhiteSpace(e.Message)) return new FuzzOutcome(FuzzVerdict.Finding, e, "the refusal has no message");
            if (NamesInput && !e.Message.Contains(source, StringComparison.Ordinal))
                return new FuzzOutcome(FuzzVerdict.Finding, e, $"the refusal does not name the input '{source}'");
            return new FuzzOutcome(FuzzVerdict.Rejected, e);
        }
        catch (Exception e)
        {
            return new FuzzOutcome(FuzzVerdict.Finding, e, $"undocumented {e.GetType().FullName}");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
