using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Collects one column's decoded pages into Arrow buffers (values, offsets, validity) and builds
/// the Arrow array at the end. Decoders append whole runs of values; only nulls are per value.
/// </summary>
internal sealed class ColumnBuilder
{
    private readonly IArrowType _type;
    private readonly int _bitsPerValue;
    private readonly bool _largeOffsets;
    private readonly long _maxInitialValueBytes;
    private byte[] _values;
    private long _valueBytes;
    private long[] _offsets; // variable width only; widened to 64 bits here, narrowed in Build
    private byte[] _validity;
    private int _length;
    private int _nullCount;
    private byte[]? _itemValidity; // fixed-size lists with a null item only: one bit per item, set = valid
    private int _itemNullCount;

    /// <summary>Creates a builder for <paramref name="type"/>, sized for <paramref name="expectedRows"/> rows.</summary>
    /// <param name="type">The column's Arrow type.</param>
    /// <param name="expectedRows">The rows expected (buffers grow past it if needed).</param>
    /// <param name="maxInitialValueBytes">
    /// A cap on the value bytes allocated up front, so that a corrupt row count in a small file
    /// cannot make the reader allocate gigabytes before it finds the corruption.
    /// </param>
    public ColumnBuilder(IArrowType type, long expectedRows, long maxInitialValueBytes = long.MaxValue)
    {
        _type = type;
        _maxInitialValueBytes = maxInitialValueBytes;
        _bitsPerValue = LanceLogicalTypes.FixedWidthBits(type);
        IsVariable = LanceLogicalTypes.IsVariableWidth(type);
        _largeOffsets = LanceLogicalTypes.HasLargeOffsets(type);
        long cappedRows = Math.Min(expectedRows, Math.Max(1024, maxInitialValueBytes * 8 / Math.Max(1, _bitsPerValue)));
        int capacity = (int)Math.Clamp(cappedRows, 0, System.Array.MaxLength - 1);
        long valueBytes = (capacity * (long)_bitsPerValue + 7) / 8;
        // Whole-byte values are always written before they are read (nulls are cleared), so their
        // buffer need not be zeroed first: a scan then writes each byte once. Bools are OR-ed in bit
        // by bit and need zeroes.
        _values = IsVariable ? new byte[Math.Min(capacity * 16L, 1 << 20)]
            : _bitsPerValue == 1 ? new byte[valueBytes]
            : GC.AllocateUninitializedArray<byte>((int)valueBytes);
        _offsets = IsVariable ? new long[capacity + 1] : [];
        _validity = new byte[(capacity + 7) / 8];
    }

    /// <summary>Whether the column holds variable-width values.</summary>
    public bool IsVariable { get; }

    /// <summary>Bits per value for fixed-width columns (1 for bool).</summary>
    public int BitsPerValue => _bitsPerValue;

    /// <summary>The number of rows appended so far.</summary>
    public int Length => _length;

    /// <summary>Appends <paramref name="count"/> fixed-width values given as bytes (or as bits starting at <paramref name="bitOffset"/> for bool).</summary>
    public void AppendFixed(ReadOnlySpan<byte> source, int count, int bitOffset = 0)
    {
        EnsureRows(count);
        if (_bitsPerValue == 1)
        {
            EnsureValueBytes((_length + count + 7) / 8);
            for (int i = 0; i < count; i++)
            {
                int s = bitOffset + i;
                if ((source[s >> 3] & (1 << (s & 7))) != 0)
                {
                    int d = _length + i;
                    _values[d >> 3] |= (byte)(1 << (d & 7));
                }
            }

            _valueBytes = (_length + count + 7) / 8;
        }
        else
        {
            int bytes = checked(count * (_bitsPerValue / 8));
            EnsureValueBytes(_valueBytes + bytes);
            source[..bytes].CopyTo(_values.AsSpan((int)_valueBytes));
            _valueBytes += bytes;
        }

        MarkValid(count);
    }

    /// <summary>
    /// Appends <paramref name="count"/> valid fixed-width values (whole bytes each) and returns the
    /// span of the values buffer they occupy, for the caller to fill (e.g. straight from the file).
    /// </summary>
    public Span<byte> AppendFixedInPlace(int count)
    {
        EnsureRows(count);
        int bytes = checked(count * (_bitsPerValue / 8));
        EnsureValueBytes(_valueBytes + bytes);
        var destination = _values.AsSpan((int)_valueBytes, bytes);
        _valueBytes += bytes;
        MarkValid(count);
        return destination;
    }

    /// <summary>
    /// Like <see cref="AppendFixedInPlace"/>, as memory rather than a span, for callers that fill it
    /// from several threads. Append nothing else before it is filled: growing moves the buffer.
    /// </summary>
    public Memory<byte> AppendFixedRun(int count)
    {
        EnsureRows(count);
        int bytes = checked(count * (_bitsPerValue / 8));
        EnsureValueBytes(_valueBytes + bytes);
        var destination = _values.AsMemory((int)_valueBytes, bytes);
        _valueBytes += bytes;
        MarkValid(count);
        return destination;
    }

    /// <summary>A new, empty builder of the same type for one page of <paramref name="rows"/> rows, decoded on its own and then added with <see cref="AppendBuilder"/>.</summary>
    /// <param name="rows">The page's rows.</param>
    /// <param name="valueBytes">About how many bytes of values the page holds (its buffers' size, say), 0 if not known: room is made for them at once.</param>
    public ColumnBuilder ForPage(long rows, long valueBytes = 0)
    {
        var page = new ColumnBuilder(_type, rows, _maxInitialValueBytes);
        if (valueBytes > 0)
        {
            page.ReserveValueBytes(Math.Min(valueBytes, _maxInitialValueBytes));
        }

        return page;
    }

    /// <summary>
    /// Empties the builder and keeps its buffers, so that the next page decodes into memory already touched (a reader that
    /// goes through a column page by page reuses one builder rather than making fresh buffers for every page).
    /// </summary>
    public void Clear()
    {
        _validity.AsSpan(0, (_length + 7) / 8).Clear();
        if (_bitsPerValue == 1)
        {
            _values.AsSpan(0, (int)Math.Min(_valueBytes, _values.Length)).Clear(); // bools are OR-ed in
        }

        _itemValidity = null;
        _itemNullCount = 0;
        _nullCount = 0;
        _valueBytes = 0;
        _length = 0;
    }

    /// <summary>Whether row <paramref name="row"/> (appended so far) is null.</summary>
    public bool IsNull(int row) => (uint)row < (uint)_length
        ? (_validity[row >> 3] & (1 << (row & 7))) == 0
        : throw new ArgumentOutOfRangeException(nameof(row));

    /// <summary>The bytes of variable-width row <paramref name="row"/> (appended so far; empty for a null), read in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> VariableValue(int row)
    {
        if (!IsVariable || (uint)row >= (uint)_length)
        {
            throw new ArgumentOutOfRangeException(nameof(row));
        }

        long start = _offsets[row];
        return _values.AsSpan((int)start, (int)(_offsets[row + 1] - start));
    }

    /// <summary>The bytes of values appended so far.</summary>
    public long ValueByteCount => _valueBytes;

    /// <summary>Appends every row of <paramref name="page"/> (a builder of the same type): values, offsets and nulls.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AppendBuilder(ColumnBuilder page)
    {
        int count = page._length;
        EnsureRows(count);
        if (IsVariable)
        {
            EnsureValueBytes(_valueBytes + page._valueBytes);
            page._values.AsSpan(0, (int)page._valueBytes).CopyTo(_values.AsSpan((int)_valueBytes));
            for (int i = 1; i <= count; i++)
            {
                _offsets[_length + i] = _valueBytes + page._offsets[i];
            }

            _valueBytes += page._valueBytes;
        }
        else if (_bitsPerValue == 1)
        {
            EnsureValueBytes((_length + count + 7) / 8);
            CopyBits(page._values, _values, _length, count);
            _valueBytes = (_length + count + 7) / 8;
        }
        else
        {
            EnsureValueBytes(_valueBytes + page._valueBytes);
            page._values.AsSpan(0, (int)page._valueBytes).CopyTo(_values.AsSpan((int)_valueBytes));
            _valueBytes += page._valueBytes;
        }

        CopyBits(page._validity, _validity, _length, count);
        _nullCount += page._nullCount;
        _length += count;
    }

    /// <summary>Appends one variable-width value.</summary>
    public void AppendVariable(ReadOnlySpan<byte> value)
    {
        EnsureRows(1);
        EnsureValueBytes(_valueBytes + value.Length);
        value.CopyTo(_values.AsSpan((int)_valueBytes));
        _valueBytes += value.Length;
        _offsets[_length + 1] = _valueBytes;
        MarkValid(1);
    }

    /// <summary>
    /// Appends <paramref name="count"/> variable-width values that lie back to back in
    /// <paramref name="data"/>, delimited by <paramref name="offsets"/> (count + 1 entries into data).
    /// </summary>
    public void AppendVariableRun<T>(ReadOnlySpan<byte> data, ReadOnlySpan<T> offsets, int count)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        EnsureRows(count);
        long first = long.CreateChecked(offsets[0]);
        int bytes = checked((int)(long.CreateChecked(offsets[count]) - first));
        EnsureValueBytes(_valueBytes + bytes);
        data.Slice((int)first, bytes).CopyTo(_values.AsSpan((int)_valueBytes));
        for (int i = 1; i <= count; i++)
        {
            _offsets[_length + i] = _valueBytes + (long.CreateChecked(offsets[i]) - first);
        }

        _valueBytes += bytes;
        MarkValid(count);
    }

    /// <summary>Appends <paramref name="count"/> nulls (zeroed or empty values).</summary>
    public void AppendNulls(int count)
    {
        EnsureRows(count);
        if (IsVariable)
        {
            for (int i = 1; i <= count; i++)
            {
                _offsets[_length + i] = _valueBytes;
            }
        }
        else
        {
            long end = ((long)(_length + count) * _bitsPerValue + 7) / 8;
            EnsureValueBytes(end);
            if (_bitsPerValue != 1)
            {
                _values.AsSpan((int)_valueBytes, (int)(end - _valueBytes)).Clear(); // the buffer may be uninitialized
            }

            _valueBytes = end; // bools: new space is already zero
        }

        _length += count;
        _nullCount += count;
    }

    /// <summary>
    /// Marks as null the rows among the last <paramref name="definitions"/>.Length appended whose
    /// definition level is not 0.
    /// </summary>
    public void ApplyDefinitions(ReadOnlySpan<ushort> definitions)
    {
        int first = _length - definitions.Length;
        for (int i = 0; i < definitions.Length; i++)
        {
            if (definitions[i] != 0)
            {
                SetNull(first + i);
            }
        }
    }

    /// <summary>
    /// For a fixed-size-list column: marks null the items of the last <paramref name="rows"/> rows
    /// appended whose bit in <paramref name="bits"/> is clear (one bit per item, those rows' items in
    /// order from bit <paramref name="bitOffset"/>).
    /// </summary>
    /// <exception cref="LanceFormatException">The column is not a fixed-size list, or the bits are too few.</exception>
    public void ApplyItemValidity(ReadOnlySpan<byte> bits, int rows, int bitOffset, string what)
    {
        if (_type is not FixedSizeListType fsl)
        {
            throw new LanceFormatException($"{what}: its pages hold item validity, which only vectors (fixed-size lists) have.");
        }

        long items = (long)rows * fsl.ListSize;
        if (bitOffset < 0 || bitOffset + items > bits.Length * 8L)
        {
            throw new LanceFormatException($"{what} is corrupt: {items} vector items but {bits.Length * 8L - bitOffset} validity bits.");
        }

        long firstItem = (long)(_length - rows) * fsl.ListSize;
        for (long k = 0; k < items; k++)
        {
            long bit = bitOffset + k;
            if ((bits[(int)(bit >> 3)] & (1 << (int)(bit & 7))) == 0)
            {
                SetItemNull(firstItem + k);
            }
        }
    }

    /// <summary>Marks the row <paramref name="row"/> (already appended) as null.</summary>
    public void SetNull(int row)
    {
        byte mask = (byte)(1 << (row & 7));
        if ((_validity[row >> 3] & mask) != 0)
        {
            _validity[row >> 3] &= (byte)~mask;
            _nullCount++;
        }
    }

    /// <summary>Builds the Arrow array from everything appended.</summary>
    public IArrowArray Build()
    {
        if (_type is NullType)
        {
            // Arrow's Null type has no buffers: a struct field or list item of that type is only a length.
            return new NullArray(_length);
        }

        var validity = _nullCount == 0 ? ArrowBuffer.Empty : new ArrowBuffer(_validity.AsMemory(0, (_length + 7) / 8));
        var values = new ArrowBuffer(_values.AsMemory(0, (int)_valueBytes));
        ArrayData data;
        if (IsVariable)
        {
            ArrowBuffer offsets;
            if (_largeOffsets)
            {
                offsets = new ArrowBuffer(MemoryMarshal.AsBytes(_offsets.AsSpan(0, _length + 1)).ToArray());
            }
            else
            {
                if (_valueBytes > int.MaxValue)
                {
                    throw new LanceFormatException($"A {_type.Name} column holds {_valueBytes} bytes, more than 32-bit offsets can address.");
                }

                var narrow = new int[_length + 1];
                for (int i = 0; i <= _length; i++)
                {
                    narrow[i] = (int)_offsets[i];
                }

                offsets = new ArrowBuffer(MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
            }

            data = new ArrayData(_type, _length, _nullCount, 0, [validity, offsets, values]);
        }
        else if (_type is FixedSizeListType fsl)
        {
            long items = (long)_length * fsl.ListSize;
            var itemValidity = ArrowBuffer.Empty;
            if (_itemNullCount > 0)
            {
                GrowItemValidity(items);
                itemValidity = new ArrowBuffer(_itemValidity!.AsMemory(0, (int)((items + 7) / 8)));
            }

            var child = new ArrayData(fsl.ValueDataType, _length * fsl.ListSize, _itemNullCount, 0, [itemValidity, values]);
            data = new ArrayData(_type, _length, _nullCount, 0, [validity], [child]);
        }
        else
        {
            data = new ArrayData(_type, _length, _nullCount, 0, [validity, values]);
        }

        return ArrowArrayFactory.BuildArray(data);
    }

    private void SetItemNull(long item)
    {
        GrowItemValidity(item + 1);
        byte mask = (byte)(1 << (int)(item & 7));
        if ((_itemValidity![item >> 3] & mask) != 0)
        {
            _itemValidity[item >> 3] &= (byte)~mask;
            _itemNullCount++;
        }
    }

    // Items are valid until marked otherwise: new bytes start all set.
    private void GrowItemValidity(long items)
    {
        long bytes = (items + 7) / 8;
        if (_itemValidity is not null && _itemValidity.Length >= bytes)
        {
            return;
        }

        long size = Math.Max(bytes, Math.Max(64, (_itemValidity?.Length ?? 0) * 2L));
        if (size > System.Array.MaxLength)
        {
            throw new LanceFormatException("A vector column holds more items than one Arrow array can.");
        }

        var grown = new byte[size];
        grown.AsSpan().Fill(0xFF);
        _itemValidity?.CopyTo(grown, 0);
        _itemValidity = grown;
    }

    // ORs the first `count` bits of `source` into `destination` from bit `at` (the destination's bits there are still zero).
    private static void CopyBits(byte[] source, byte[] destination, int at, int count)
    {
        if (at % 8 == 0)
        {
            source.AsSpan(0, (count + 7) / 8).CopyTo(destination.AsSpan(at / 8));
            return;
        }

        for (int i = 0; i < count; i++)
        {
            if ((source[i >> 3] & (1 << (i & 7))) != 0)
            {
                int d = at + i;
                destination[d >> 3] |= (byte)(1 << (d & 7));
            }
        }
    }

    private void MarkValid(int count)
    {
        for (int i = 0; i < count; i++)
        {
            int row = _length + i;
            _validity[row >> 3] |= (byte)(1 << (row & 7));
        }

        _length += count;
    }

    private void EnsureRows(int more)
    {
        long needed = (long)_length + more;
        if (needed > System.Array.MaxLength)
        {
            throw new LanceFormatException("A column holds more rows than one Arrow array can.");
        }

        if ((_validity.Length * 8L) < needed)
        {
            System.Array.Resize(ref _validity, (int)Math.Min(System.Array.MaxLength, Math.Max(needed, _validity.Length * 16L) / 8 + 1));
        }

        if (IsVariable && _offsets.Length < needed + 1)
        {
            System.Array.Resize(ref _offsets, (int)Math.Min(System.Array.MaxLength, Math.Max(needed + 1, _offsets.Length * 2L)));
        }
    }

    private void EnsureValueBytes(long needed)
    {
        if (needed > System.Array.MaxLength)
        {
            throw new LanceFormatException($"A column holds more than {System.Array.MaxLength} bytes of values, more than one Arrow buffer here can hold.");
        }

        if (_values.Length < needed)
        {
            Grow(needed);
        }
    }

    /// <summary>
    /// Makes room for <paramref name="valueBytes"/> more bytes of values at once (a caller that knows about how many are
    /// coming), so that the buffer grows once instead of doubling step by step.
    /// </summary>
    public void ReserveValueBytes(long valueBytes)
    {
        var needed = _valueBytes + valueBytes;
        if (_bitsPerValue != 1 && needed <= System.Array.MaxLength && _values.Length < needed)
        {
            Grow(needed, exact: true);
        }
    }

    // A larger values buffer holding the bytes written so far. Whole-byte values are always written before they are read,
    // so the new buffer is not zeroed (the old one was not necessarily either) and only the bytes in use are copied; bools
    // are OR-ed in bit by bit and need zeroes.
    private void Grow(long needed, bool exact = false)
    {
        var size = (int)Math.Min(System.Array.MaxLength, exact ? needed : Math.Max(needed, _values.Length * 2L));
        if (_bitsPerValue == 1)
        {
            System.Array.Resize(ref _values, size);
            return;
        }

        var grown = GC.AllocateUninitializedArray<byte>(size);
        _values.AsSpan(0, (int)Math.Min(_valueBytes, _values.Length)).CopyTo(grown);
        _values = grown;
    }
}
