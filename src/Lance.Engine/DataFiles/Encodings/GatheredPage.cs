using System.Buffers;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// One page's worth of a column copied out of the Arrow arrays into contiguous, pooled scratch
/// buffers: the values (bit-packed for bool), byte offsets for variable-width values, and one
/// definition level per row (0 valid, 1 null) when the page has nulls, and for vectors with null
/// items one validity bit per item. The encoders lay these out on disk without caring which Arrow
/// arrays they came from.
/// </summary>
internal sealed class GatheredPage : IDisposable
{
    private byte[] _values = [];
    private long[] _offsets = [];
    private ushort[] _definitions = [];
    private byte[] _itemValidity = [];

    /// <summary>The number of rows (values) in the page.</summary>
    public int Count { get; private set; }

    /// <summary>The number of null rows; 0 means no definition levels are needed.</summary>
    public int NullCount { get; set; }

    /// <summary>Whether any row is null.</summary>
    public bool HasNulls => NullCount > 0;

    /// <summary>The number of valid bytes in <see cref="Values"/>.</summary>
    public int ValuesLength { get; set; }

    /// <summary>The value bytes (fixed-width values back to back, bool bit-packed, or variable-width data).</summary>
    public Span<byte> Values => _values.AsSpan(0, ValuesLength);

    /// <summary>The value bytes as memory, for encoders that hand them to the file unchanged.</summary>
    public ReadOnlyMemory<byte> ValuesMemory => _values.AsMemory(0, ValuesLength);

    /// <summary>For variable-width pages, <see cref="Count"/> + 1 offsets into <see cref="Values"/>.</summary>
    public Span<long> Offsets => _offsets.AsSpan(0, Count + 1);

    /// <summary>One definition level per row: 0 for a valid value, 1 for a null.</summary>
    public Span<ushort> Definitions => _definitions.AsSpan(0, Count);

    /// <summary>Whether some vector (fixed-size list) of the page has a null item; see <see cref="ItemValidity"/>.</summary>
    public bool HasNullItems { get; private set; }

    /// <summary>
    /// For vectors with null items: one bit per item (set = valid), the page's items in order from
    /// bit 0; empty when <see cref="HasNullItems"/> is false.
    /// </summary>
    public Span<byte> ItemValidity => HasNullItems ? _itemValidity.AsSpan(0, (ItemCount + 7) / 8) : default;

    private int ItemCount { get; set; }

    /// <summary>Starts the item validity of a page of <paramref name="items"/> vector items, every item valid.</summary>
    public void BeginItemValidity(int items)
    {
        Rent(ref _itemValidity, (items + 7) / 8);
        _itemValidity.AsSpan(0, (items + 7) / 8).Fill(0xFF);
        ItemCount = items;
        HasNullItems = true;
    }

    /// <summary>Resets the page for <paramref name="count"/> rows and at least <paramref name="valueBytes"/> value bytes.</summary>
    public void Reset(int count, int valueBytes, bool variable)
    {
        Count = count;
        NullCount = 0;
        HasNullItems = false;
        ValuesLength = valueBytes;
        Rent(ref _values, valueBytes);
        Rent(ref _definitions, count);
        _definitions.AsSpan(0, count).Clear();
        if (variable)
        {
            Rent(ref _offsets, count + 1);
        }
    }

    /// <summary>Makes room for <paramref name="valueBytes"/> value bytes, keeping what was gathered so far.</summary>
    public void EnsureValueCapacity(int valueBytes)
    {
        if (_values.Length < valueBytes)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(valueBytes);
            _values.AsSpan().CopyTo(bigger);
            Return(_values);
            _values = bigger;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Return(_values);
        Return(_offsets);
        Return(_definitions);
        Return(_itemValidity);
        _itemValidity = [];
        _values = [];
        _offsets = [];
        _definitions = [];
    }

    private static void Rent<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            Return(array);
            array = ArrayPool<T>.Shared.Rent(length);
        }
    }

    private static void Return<T>(T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }
    }
}
