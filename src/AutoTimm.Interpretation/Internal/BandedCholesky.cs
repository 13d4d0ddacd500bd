using System.Numerics;

namespace AutoTimm.Interpretation.Internal;

/// <summary>
/// Cholesky factorization <c>A = L L^T</c> of a symmetric positive definite band matrix, and solves with it, in float64.
/// Row <c>i</c> of L is stored as its <c>bandwidth + 1</c> entries ending at the diagonal, so every inner product is
/// over two contiguous spans. Cost: <c>n * bandwidth^2 / 2</c> multiply-adds to factor, <c>2 n * bandwidth</c> per solve.
/// </summary>
internal sealed class BandedCholesky
{
    private readonly double[] _l;
    private readonly int _n, _band, _stride;

    /// <summary>Factors the matrix whose lower band <paramref name="entries"/> gives (row, column ≤ row, value); entries add up.</summary>
    /// <exception cref="InvalidOperationException">The matrix is not positive definite.</exception>
    public BandedCholesky(int n, int bandwidth, IEnumerable<(int Row, int Column, double Value)> entries)
    {
        _n = n;
        _band = bandwidth;
        _stride = bandwidth + 1;
        _l = new double[n * _stride];
        foreach (var (row, column, value) in entries)
        {
            if (column > row || row - column > bandwidth) throw new ArgumentOutOfRangeException(nameof(entries), $"({row}, {column}) lies outside the lower band of width {bandwidth}");
            _l[Index(row, column)] += value;
        }
        for (int i = 0; i < n; i++)
        {
            int first = Math.Max(0, i - bandwidth);
            for (int j = first; j <= i; j++)
            {
                // sum_{k = first..j-1} L[i,k] L[j,k]: both rows' entries for columns first..j-1 are contiguous.
                int from = Math.Max(first, j - bandwidth);
                double s = _l[Index(i, j)] - Dot(_l.AsSpan(Index(i, from), j - from), _l.AsSpan(Index(j, from), j - from));
                if (i == j)
                {
                    if (!(s > 0)) throw new InvalidOperationException($"the matrix is not positive definite (pivot {s:G3} at row {i})");
                    _l[Index(i, i)] = Math.Sqrt(s);
                }
                else _l[Index(i, j)] = s / _l[Index(j, j)];
            }
        }
    }

    private int Index(int row, int column) => row * _stride + _band - (row - column);

    /// <summary>Solves <c>A x = b</c> in place.</summary>
    public void Solve(Span<double> b)
    {
        if (b.Length != _n) throw new ArgumentException($"{b.Length} values for {_n} unknowns", nameof(b));
        for (int i = 0; i < _n; i++)
        {
            int from = Math.Max(0, i - _band);
            b[i] = (b[i] - Dot(_l.AsSpan(Index(i, from), i - from), b[from..i])) / _l[Index(i, i)];
        }
        for (int i = _n - 1; i >= 0; i--)
        {
            b[i] /= _l[Index(i, i)];
            double xi = b[i];
            int from = Math.Max(0, i - _band);
            var row = _l.AsSpan(Index(i, from), i - from);
            for (int k = 0; k < row.Length; k++) b[from + k] -= row[k] * xi;
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        int k = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            for (; k <= a.Length - Vector<double>.Count; k += Vector<double>.Count)
                acc += new Vector<double>(a[k..]) * new Vector<double>(b[k..]);
            sum = Vector.Sum(acc);
        }
        for (; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }
}
