using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Nested;

/// <summary>
/// Turns the nested Arrow arrays of one column into the repetition and definition levels of one
/// of its leaves, plus the leaf's visible values (as slices of the leaf arrays, adjacent slices
/// merged). One entry per leaf value, plus one per null or empty list (or null struct above a list),
/// which has levels but no value: the scheme of Lance's <c>repdef.rs</c>.
/// </summary>
internal sealed class LevelShredder
{
    private readonly LeafPath _path;
    private readonly List<ArrayData> _runs = [];
    private readonly bool[] _hasNull;
    private readonly bool[] _hasEmpty;
    private readonly int[] _repOfList;
    private readonly ushort _rowRep;

    // The levels so far: entries [0, _count) of _rep and _canonical (null while every canonical code is 0, the common
    // case of lists without nulls or empties); both arrays may be longer, and are rented (see ShreddedLeaf.Release).
    private ushort[] _rep;
    private ushort[]? _canonical;
    private int _count;
    private ArrayData? _runData;
    private long _runStart;
    private long _runEnd;
    private long _values;

    private LevelShredder(LeafPath path, long expectedEntries)
    {
        _path = path;
        int layers = path.Fields.Count;
        _hasNull = new bool[layers];
        _hasEmpty = new bool[layers];
        _repOfList = new int[layers];
        int lists = path.IsList.Count(l => l);
        _rowRep = (ushort)lists;
        for (int i = 0, seen = 0; i < layers; i++)
        {
            _repOfList[i] = lists - seen;
            if (path.IsList[i])
            {
                seen++;
            }
        }

        _rep = ArrayPool<ushort>.Shared.Rent((int)Math.Clamp(expectedEntries, 16, System.Array.MaxLength));
    }

    /// <summary>Shreds the column's arrays (one per batch, in order) for the leaf at <paramref name="path"/>.</summary>
    /// <exception cref="LanceSchemaException">A null where the schema allows none.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ShreddedLeaf Shred(LeafPath path, IReadOnlyList<IArrowArray> arrays)
    {
        long entries = 0;
        long rows = 0;
        foreach (var array in arrays)
        {
            entries += ExpectedEntries(array.Data);
            rows += array.Length;
        }

        var shredder = new LevelShredder(path, entries);
        var rowEntryStart = new long[checked(rows + 1)];
        var rowValueStart = new long[rows + 1];
        long at = 0;
        foreach (var array in arrays)
        {
            var data = array.Data;
            bool lists = shredder.OnlyValidLists(data);
            for (int row = 0; row < data.Length; row++)
            {
                if (lists)
                {
                    shredder.ValidLists(0, data, row, row + 1, shredder._rowRep, shredder._rowRep);
                }
                else
                {
                    shredder.Visit(0, data, row, shredder._rowRep, -1);
                }

                at++;
                rowEntryStart[at] = shredder._count;
                rowValueStart[at] = shredder._values;
            }
        }

        shredder.CloseRun();
        for (int layer = 0; layer < path.Fields.Count; layer++)
        {
            if (shredder._hasNull[layer] && !path.Fields[layer].Nullable)
            {
                throw new LanceSchemaException($"Column '{path.Name}': '{path.Fields[layer].Name}' is not nullable but holds null value(s).");
            }
        }

        // A null struct (or other non-list layer) makes the lists below it nullable, as Lance's writer
        // does (it masks the lists with the struct's validity): Lance's reader maps definition levels
        // to repetition depths by counting the list layers that have levels, so a struct null above an
        // all-valid list would be taken for an item (LanceDB's scan then panics on a range read).
        for (int layer = 0; layer < path.Fields.Count; layer++)
        {
            if (shredder._hasNull[layer] && !path.IsList[layer])
            {
                for (int below = layer + 1; below < path.Fields.Count; below++)
                {
                    shredder._hasNull[below] |= path.IsList[below];
                }
            }
        }

        var layout = LevelLayout.ForData(path.IsList, shredder._hasNull, shredder._hasEmpty);
        if (layout.MaxRep == 0)
        {
            ArrayPool<ushort>.Shared.Return(shredder._rep);
        }

        return new ShreddedLeaf(
            layout,
            layout.MaxRep > 0 ? shredder._rep : null,
            shredder._canonical,
            rowEntryStart,
            rowValueStart,
            shredder._runs);
    }

    // About how many level entries the rows of data make: the values below its lists (followed through 32-bit list
    // offsets), plus one per row for empty or null lists; a guess that only sizes the level arrays.
    private static long ExpectedEntries(ArrayData data)
    {
        long rows = data.Length;
        long start = data.Offset;
        long end = data.Offset + data.Length;
        while (data.DataType is Apache.Arrow.Types.ListType && data.Children is [var child] && data.Buffers.Length > 1 && end > start)
        {
            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
            if (end >= offsets.Length)
            {
                break;
            }

            (start, end) = (offsets[(int)start], offsets[(int)end]);
            data = child;
        }

        return Math.Max(0, end - start) + rows;
    }

    private void Visit(int layer, ArrayData data, int index, ushort rep, int nullLayer)
    {
        if (nullLayer < 0 && !IsValid(data, index))
        {
            nullLayer = layer;
            _hasNull[layer] = true;
        }

        if (layer == _path.Fields.Count - 1)
        {
            Emit(rep, nullLayer < 0 ? (ushort)0 : LevelLayout.NullCode(nullLayer));
            AddValue(data, index);
            return;
        }

        if (_path.IsList[layer])
        {
            if (nullLayer >= 0)
            {
                Emit(rep, LevelLayout.NullCode(nullLayer));
                return;
            }

            var (start, end) = ListRange(data, index);
            if (start == end)
            {
                _hasEmpty[layer] = true;
                Emit(rep, LevelLayout.EmptyCode(layer));
                return;
            }

            var child = data.Children[0];
            ushort inner = (ushort)(_repOfList[layer] - 1);
            for (long i = start; i < end; i++)
            {
                Visit(layer + 1, child, checked((int)i), i == start ? rep : inner, -1);
            }
        }
        else
        {
            // A struct: its children have one element per struct element (the struct's offset applies to them).
            Visit(layer + 1, data.Children[_path.ChildIndices[layer]], data.Offset + index, rep, nullLayer);
        }
    }

    // Whether the column is lists of lists … of a leaf (32-bit offsets) without a null at any layer: then the lists are
    // shredded a range at a time (ValidLists) and a last list layer maps to its leaf values in one run, the common shape
    // of index files (a full-text index's posting and position lists), instead of a visit per value.
    private bool OnlyValidLists(ArrayData data)
    {
        for (int layer = 0; layer < _path.Fields.Count; layer++)
        {
            bool leaf = layer == _path.Fields.Count - 1;
            if (data.DataType is Apache.Arrow.Types.NullType || data.NullCount != 0
                || (!leaf && (!_path.IsList[layer] || data.DataType.GetType() != typeof(Apache.Arrow.Types.ListType))))
            {
                return false;
            }

            if (!leaf)
            {
                data = data.Children[0];
            }
        }

        return _path.Fields.Count > 1;
    }

    // The lists [from, to) of data, a list layer of a column OnlyValidLists accepts: the first list starts with
    // repetition level firstRep, the others with otherRep.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ValidLists(int layer, ArrayData data, long from, long to, ushort firstRep, ushort otherRep)
    {
        var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset);
        var child = data.Children[0];
        ushort inner = (ushort)(_repOfList[layer] - 1);
        if (layer + 2 < _path.Fields.Count)
        {
            for (long i = from; i < to; i++)
            {
                ushort rep = i == from ? firstRep : otherRep;
                int start = offsets[(int)i];
                int end = offsets[(int)i + 1];
                if (start == end)
                {
                    _hasEmpty[layer] = true;
                    Emit(rep, LevelLayout.EmptyCode(layer));
                }
                else
                {
                    ValidLists(layer + 1, child, start, end, rep, inner);
                }
            }

            return;
        }

        // The child is the leaf: one entry per value, the first of each list with the list's repetition level, all valid;
        // the lists' values follow one another in the child, so they extend one run.
        int first = offsets[(int)from];
        int last = offsets[(int)to];
        Reserve(last - first + (int)(to - from));
        var reps = _rep;
        int at = _count;
        for (long i = from; i < to; i++)
        {
            ushort rep = i == from ? firstRep : otherRep;
            int start = offsets[(int)i];
            int count = offsets[(int)i + 1] - start;
            if (count == 0)
            {
                _count = at;
                _hasEmpty[layer] = true;
                Emit(rep, LevelLayout.EmptyCode(layer)); // within the room reserved: _rep stays the same array
                at = _count;
                continue;
            }

            reps[at] = rep;
            reps.AsSpan(at + 1, count - 1).Fill(inner);
            at += count;
        }

        _count = at;
        if (last == first)
        {
            return;
        }

        _values += last - first;
        if (ReferenceEquals(child, _runData) && first == _runEnd)
        {
            _runEnd = last;
            return;
        }

        CloseRun();
        _runData = child;
        _runStart = first;
        _runEnd = last;
    }

    // Room for at least `more` entries after the current ones.
    private void Reserve(int more)
    {
        long needed = (long)_count + more;
        if (needed <= _rep.Length)
        {
            return;
        }

        int size = (int)Math.Min(System.Array.MaxLength, Math.Max(needed, _rep.Length * 2L));
        _rep = Grown(_rep, size, zeroRest: false);
        if (_canonical is not null)
        {
            _canonical = Grown(_canonical, size, zeroRest: true);
        }
    }

    // A rented array of at least `size` holding the first _count entries of `array` (handed back), the rest zero when asked.
    private ushort[] Grown(ushort[] array, int size, bool zeroRest)
    {
        var grown = ArrayPool<ushort>.Shared.Rent(size);
        array.AsSpan(0, _count).CopyTo(grown);
        if (zeroRest)
        {
            grown.AsSpan(_count).Clear();
        }

        ArrayPool<ushort>.Shared.Return(array);
        return grown;
    }

    private void Emit(ushort rep, ushort canonical)
    {
        Reserve(1);
        _rep[_count] = rep;
        if (canonical != 0)
        {
            // Every entry before this one had code 0: a zeroed array of the same length holds them.
            if (_canonical is null)
            {
                _canonical = ArrayPool<ushort>.Shared.Rent(_rep.Length);
                _canonical.AsSpan().Clear();
            }

            _canonical[_count] = canonical;
        }

        _count++;
    }

    private void AddValue(ArrayData data, int index)
    {
        _values++;
        if (ReferenceEquals(data, _runData) && index == _runEnd)
        {
            _runEnd++;
            return;
        }

        CloseRun();
        _runData = data;
        _runStart = index;
        _runEnd = index + 1;
    }

    private void CloseRun()
    {
        if (_runData is not null)
        {
            _runs.Add(_runStart == 0 && _runEnd == _runData.Length ? _runData : _runData.Slice((int)_runStart, (int)(_runEnd - _runStart)));
            _runData = null;
        }
    }

    private static bool IsValid(ArrayData data, int index)
    {
        if (data.DataType is Apache.Arrow.Types.NullType)
        {
            return false; // Arrow's Null type has no validity buffer: every value is null
        }

        if (data.NullCount == 0 || data.Buffers[0].IsEmpty)
        {
            return true;
        }

        int bit = data.Offset + index;
        return (data.Buffers[0].Span[bit >> 3] & (1 << (bit & 7))) != 0;
    }

    private static (long Start, long End) ListRange(ArrayData data, int index)
    {
        int position = data.Offset + index;
        if (data.DataType is Apache.Arrow.Types.LargeListType)
        {
            var offsets = MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span);
            return (offsets[position], offsets[position + 1]);
        }
        else
        {
            var offsets = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
            return (offsets[position], offsets[position + 1]);
        }
    }
}

/// <summary>One leaf's levels and visible values, as <see cref="LevelShredder"/> made them.</summary>
/// <param name="Layout">The level layout for the whole column (which layers have nulls, empty lists).</param>
/// <param name="Rep">Repetition level per entry; null without lists. May be longer than the entries.</param>
/// <param name="Canonical">Canonical definition code per entry (see <see cref="LevelLayout"/>); null when every code is 0. May be longer than the entries.</param>
/// <param name="RowEntryStart">For each row (and one past the last), the first entry.</param>
/// <param name="RowValueStart">For each row (and one past the last), the first visible value.</param>
/// <param name="ValueRuns">The visible leaf values, in order, as slices of the leaf arrays.</param>
internal sealed record ShreddedLeaf(
    LevelLayout Layout, ushort[]? Rep, ushort[]? Canonical, long[] RowEntryStart, long[] RowValueStart, IReadOnlyList<ArrayData> ValueRuns)
{
    /// <summary>Hands the level arrays back to the pool they were rented from; the leaf is not used after.</summary>
    public void Release()
    {
        if (Rep is not null)
        {
            ArrayPool<ushort>.Shared.Return(Rep);
        }

        if (Canonical is not null)
        {
            ArrayPool<ushort>.Shared.Return(Canonical);
        }
    }
}
