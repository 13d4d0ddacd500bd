namespace AutoTimm.Models.Checkpoints;

/// <summary>A reference to a Python global (<c>module.name</c>) as a pickle names it; never resolved or imported.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";

    public override string ToString() => FullName;
}
