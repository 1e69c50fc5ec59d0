using System.Runtime.CompilerServices;

namespace Lance.Engine.Query;

/// <summary>
/// Keeps the k smallest (distance, row) pairs seen so far in a bounded max-heap. Ties are broken by
/// the smaller row id, so results are deterministic.
/// </summary>
internal sealed class TopK
{
    private readonly (float Distance, long Row)[] _heap;
    private int _count;

    public TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        _heap = new (float, long)[k];
    }

    public int Count => _count;

    /// <summary>The k this heap keeps.</summary>
    public int Capacity => _heap.Length;

    /// <summary>The largest distance kept, or +∞ while the heap is not full.</summary>
    public float Threshold => _count < _heap.Length ? float.PositiveInfinity : _heap[0].Distance;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Offer(float distance, long row)
    {
        if (_count < _heap.Length)
        {
            _heap[_count] = (distance, row);
            SiftUp(_count++);
            return;
        }

        if (!Worse(_heap[0], (distance, row)))
        {
            return;
        }

        _heap[0] = (distance, row);
        SiftDown(0);
    }

    /// <summary>The rows kept now, in no particular order.</summary>
    public long[] KeptRows()
    {
        var rows = new long[_count];
        for (var i = 0; i < _count; i++)
        {
            rows[i] = _heap[i].Row;
        }

        return rows;
    }

    /// <summary>Adds every pair kept by <paramref name="other"/>.</summary>
    public void Merge(TopK other)
    {
        for (var i = 0; i < other._count; i++)
        {
            Offer(other._heap[i].Distance, other._heap[i].Row);
        }
    }

    /// <summary>The kept pairs, nearest first.</summary>
    public (float Distance, long Row)[] ToSortedArray()
    {
        var result = _heap.AsSpan(0, _count).ToArray();
        if (result.Length > 256)
        {
            Array.Sort(result, static (a, b) => Compare(a, b));
            return result;
        }

        // The usual k: an insertion sort, with no sorting code of the runtime's to compile for these pairs
        // in a fresh process.
        for (var i = 1; i < result.Length; i++)
        {
            var item = result[i];
            var j = i - 1;
            while (j >= 0 && Compare(result[j], item) > 0)
            {
                result[j + 1] = result[j];
                j--;
            }

            result[j + 1] = item;
        }

        return result;
    }

    // Nearest first, ties by the smaller row: a total order (float.CompareTo puts NaN first and counts
    // two NaNs equal, so they too are ordered by row).
    private static int Compare((float Distance, long Row) a, (float Distance, long Row) b)
        => a.Distance.CompareTo(b.Distance) is var byDistance and not 0 ? byDistance : a.Row.CompareTo(b.Row);

    // True when a ranks after b (a is the worse of the two).
    private static bool Worse((float Distance, long Row) a, (float Distance, long Row) b)
        => a.Distance > b.Distance || (a.Distance == b.Distance && a.Row > b.Row);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Worse(_heap[i], _heap[parent]))
            {
                break;
            }

            (_heap[i], _heap[parent]) = (_heap[parent], _heap[i]);
            i = parent;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SiftDown(int i)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= _count)
            {
                break;
            }

            var worst = left;
            var right = left + 1;
            if (right < _count && Worse(_heap[right], _heap[left]))
            {
                worst = right;
            }

            if (!Worse(_heap[worst], _heap[i]))
            {
                break;
            }

            (_heap[i], _heap[worst]) = (_heap[worst], _heap[i]);
            i = worst;
        }
    }
}
