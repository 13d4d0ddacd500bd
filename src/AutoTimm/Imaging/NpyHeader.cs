using System.Globalization;

namespace AutoTimm.Imaging;

/// <summary>
/// The header of a .npy file: a Python dict literal with 'descr', 'fortran_order' and 'shape'. Parsed by a small
/// recursive-descent reader that accepts only literals (strings, booleans, integer tuples), never evaluates code.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    public static NpyHeader Parse(string text, Func<string, Exception> bad)
    {
        var reader = new Reader(text, bad);
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        reader.Expect('{');
        while (!reader.TryConsume('}'))
        {
            var key = reader.String();
            reader.Expect(':');
            switch (key)
            {
                case "descr":
                    if (reader.Peek() is '[')
                        throw bad("structured arrays (a list 'descr') are not supported; save a plain float array.");
                    descr = reader.String();
                    break;
                case "fortran_order":
                    fortran = reader.Boolean();
                    break;
                case "shape":
                    shape = reader.IntTuple();
                    break;
                default:
                    throw bad($"unexpected header key '{key}'.");
            }
            if (!reader.TryConsume(','))
            {
                reader.Expect('}');
                break;
            }
        }
        if (descr is null || fortran is null || shape is null)
            throw bad($"the header lacks {(descr is null ? "'descr'" : fortran is null ? "'fortran_order'" : "'shape'")}: {text.Trim()}");
        return new NpyHeader(descr, fortran.Value, shape);
    }

    private sealed class Reader(string text, Func<string, Exception> bad)
    {
        private int _pos;

        public char? Peek()
        {
            SkipSpace();
            return _pos < text.Length ? text[_pos] : null;
        }

        public bool TryConsume(char c)
        {
            if (Peek() != c) return false;
            _pos++;
            return true;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c)) throw bad($"malformed header (expected '{c}' at offset {_pos}): {text.Trim()}");
        }

        public string String()
        {
            var quote = Peek();
            if (quote is not ('\'' or '"')) throw bad($"malformed header (expected a string at offset {_pos}): {text.Trim()}");
            var end = text.IndexOf(quote.Value, _pos + 1);
            if (end < 0) throw bad($"malformed header (unterminated string): {text.Trim()}");
            var value = text[(_pos + 1)..end];
            _pos = end + 1;
            return value;
        }

        public bool Boolean()
        {
            SkipSpace();
            if (Word("True")) return true;
            if (Word("False")) return false;
            throw bad($"malformed header (expected True or False at offset {_pos}): {text.Trim()}");
        }

        public long[] IntTuple()
        {
            Expect('(');
            var dims = new List<long>();
            while (!TryConsume(')'))
            {
                SkipSpace();
                var start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                if (start == _pos || !long.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
                    throw bad($"malformed shape in header (expected a non-negative integer at offset {start}): {text.Trim()}");
                dims.Add(dim);
                if (!TryConsume(','))
                {
                    Expect(')');
                    break;
                }
            }
            return [.. dims];
        }

        private bool Word(string word)
        {
            if (string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0) return false;
            _pos += word.Length;
            return true;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }
    }
}
