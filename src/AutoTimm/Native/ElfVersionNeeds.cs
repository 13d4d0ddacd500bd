using System.Buffers.Binary;
using System.Text;

namespace AutoTimm.Native;

/// <summary>
/// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF
/// shared library. Used to mark a required version that no relocation needs as weak, so that the
/// dynamic loader accepts a host C++ runtime that lacks it.
/// </summary>
internal sealed class ElfVersionNeeds
{
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const uint ShtDynsym = 11;
    private const ushort VerFlagWeak = 0x2;

    private readonly byte[] _image;

    private ElfVersionNeeds(byte[] image, IReadOnlyList<Requirement> requirements, IReadOnlyList<UndefinedSymbol> undefinedSymbols,
        IReadOnlySet<string> definedVersions)
    {
        _image = image;
        Requirements = requirements;
        UndefinedSymbols = undefinedSymbols;
        DefinedVersions = definedVersions;
    }

    /// <summary>Versions this file defines (<c>.gnu.version_d</c>), e.g. a C++ runtime's <c>GLIBCXX_3.4.30</c>.</summary>
    public IReadOnlySet<string> DefinedVersions { get; }

    /// <summary>One required version (<c>Vernaux</c>) of one needed library.</summary>
    internal sealed record Requirement(string Library, string Version, ushort Index, ushort Flags, int FlagsOffset)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>An undefined dynamic symbol and the version index it is bound to.</summary>
    internal sealed record UndefinedSymbol(string Name, ushort VersionIndex);

    /// <summary>Every version requirement in the file.</summary>
    public IReadOnlyList<Requirement> Requirements { get; }

    /// <summary>Undefined dynamic symbols with their version indices.</summary>
    public IReadOnlyList<UndefinedSymbol> UndefinedSymbols { get; }

    /// <summary>Parses <paramref name="image"/>; throws <see cref="InvalidDataException"/> if it is not a 64-bit LE ELF.</summary>
    public static ElfVersionNeeds Parse(byte[] image)
    {
        ReadOnlySpan<byte> s = image;
        if (s.Length < 64 || s[0] != 0x7f || s[1] != (byte)'E' || s[2] != (byte)'L' || s[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (s[4] != 2 || s[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(s[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3C..]);
        if (shoff <= 0 || shentsize < 64 || shoff + (long)shentsize * shnum > s.Length)
            throw new InvalidDataException("ELF section headers are missing or truncated");

        var sections = new Section[shnum];
        for (int i = 0; i < shnum; i++)
        {
            var h = s.Slice((int)(shoff + (long)i * shentsize), shentsize);
            sections[i] = new Section(
                Type: BinaryPrimitives.ReadUInt32LittleEndian(h[4..]),
                Offset: (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x18..]),
                Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x20..]),
                Link: BinaryPrimitives.ReadUInt32LittleEndian(h[0x28..]),
                Info: BinaryPrimitives.ReadUInt32LittleEndian(h[0x2C..]),
                EntrySize: (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x38..]));
        }

        var requirements = new List<Requirement>();
        var verneed = Array.Find(sections, x => x.Type == ShtGnuVerneed);
        if (verneed is not null)
        {
            var strtab = sections[verneed.Link];
            long entry = verneed.Offset;
            for (uint n = 0; n < verneed.Info; n++)
            {
                var vn = s[(int)entry..];
                int count = BinaryPrimitives.ReadUInt16LittleEndian(vn[2..]);
                string file = ReadString(s, strtab, BinaryPrimitives.ReadUInt32LittleEndian(vn[4..]));
                long aux = entry + BinaryPrimitives.ReadUInt32LittleEndian(vn[8..]);
                for (int a = 0; a < count; a++)
                {
                    var va = s[(int)aux..];
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(va[4..]);
                    ushort index = BinaryPrimitives.ReadUInt16LittleEndian(va[6..]);
                    string name = ReadString(s, strtab, BinaryPrimitives.ReadUInt32LittleEndian(va[8..]));
                    requirements.Add(new Requirement(file, name, index, flags, (int)aux + 4));
                    aux += BinaryPrimitives.ReadUInt32LittleEndian(va[12..]);
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(vn[12..]);
                if (next == 0) break;
                entry += next;
            }
        }

        var undefined = new List<UndefinedSymbol>();
        var dynsym = Array.Find(sections, x => x.Type == ShtDynsym);
        var versym = Array.Find(sections, x => x.Type == ShtGnuVersym);
        if (dynsym is not null && versym is not null && dynsym.EntrySize >= 24)
        {
            var strtab = sections[dynsym.Link];
            long count = dynsym.Size / dynsym.EntrySize;
            for (long i = 1; i < count; i++)
            {
                var sym = s[(int)(dynsym.Offset + i * dynsym.EntrySize)..];
                ushort shndx = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]);
                if (shndx != 0) continue; // defined here
                ushort version = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(s[(int)(versym.Offset + i * 2)..]) & 0x7fff);
                undefined.Add(new UndefinedSymbol(ReadString(s, strtab, BinaryPrimitives.ReadUInt32LittleEndian(sym)), version));
            }
        }

        var defined = new HashSet<string>(StringComparer.Ordinal);
        var verdef = Array.Find(sections, x => x.Type == ShtGnuVerdef);
        if (verdef is not null)
        {
            var strtab = sections[verdef.Link];
            long entry = verdef.Offset;
            for (uint n = 0; n < verdef.Info; n++)
            {
                var vd = s[(int)entry..];
                long aux = entry + BinaryPrimitives.ReadUInt32LittleEndian(vd[12..]);
                defined.Add(ReadString(s, strtab, BinaryPrimitives.ReadUInt32LittleEndian(s[(int)aux..])));
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(vd[16..]);
                if (next == 0) break;
                entry += next;
            }
        }

        return new ElfVersionNeeds(image, requirements, undefined, defined);
    }

    /// <summary>Names of undefined symbols bound to the given required version.</summary>
    public IEnumerable<string> SymbolsBoundTo(Requirement requirement) =>
        UndefinedSymbols.Where(u => u.VersionIndex == requirement.Index).Select(u => u.Name);

    /// <summary>Returns a copy of the image with the given requirements marked weak.</summary>
    public byte[] WithWeakRequirements(IEnumerable<Requirement> requirements)
    {
        var copy = (byte[])_image.Clone();
        foreach (var r in requirements)
        {
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(r.FlagsOffset));
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(r.FlagsOffset), (ushort)(flags | VerFlagWeak));
        }
        return copy;
    }

    private static string ReadString(ReadOnlySpan<byte> image, Section strtab, uint offset)
    {
        var start = image[(int)(strtab.Offset + offset)..];
        int end = start.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? start : start[..end]);
    }

    private sealed record Section(uint Type, long Offset, long Size, uint Link, uint Info, long EntrySize);
}
