using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>
/// Conversions between Arrow types that hold the same values in another layout: strings, binaries and lists with 32-bit
/// or 64-bit offsets (<c>utf8</c> and <c>large_utf8</c>, as pandas and polars write), and a dictionary of strings and plain
/// strings. LanceDB casts rows added to a table to the table's types the same way.
/// </summary>
internal static class ArrowConvert
{
    /// <summary>Whether values of <paramref name="from"/> convert to <paramref name="to"/> without change.</summary>
    public static bool CanConvert(IArrowType from, IArrowType to) => SchemaAlignment.SameType(from, to) || (from, to) switch
    {
        (StringType or LargeStringType, StringType or LargeStringType) => true,
        (BinaryType or LargeBinaryType, BinaryType or LargeBinaryType) => true,
        (DictionaryType d, StringType or LargeStringType) => d.ValueType is StringType or LargeStringType && IsIndex(d.IndexType),
        (ListType or LargeListType, ListType or LargeListType) => CanConvert(ItemType(from), ItemType(to)),
        // Timestamps of another unit (JavaScript's Date is milliseconds): exact to a finer unit, checked to a coarser one.
        (TimestampType a, TimestampType b) => a.Timezone == b.Timezone && a.Unit != TimeUnit.Nanosecond,
        (StructType a, StructType b) => a.Fields.Count == b.Fields.Count
            && a.Fields.Zip(b.Fields).All(p => p.First.Name == p.Second.Name && CanConvert(p.First.DataType, p.Second.DataType)),
        _ => false,
    };

    /// <summary>
    /// <paramref name="array"/> as <paramref name="to"/> (itself when the types are the same). Call only where
    /// <see cref="CanConvert"/> holds.
    /// </summary>
    /// <exception cref="LanceSchemaException">The values are too long for 32-bit offsets (over 2 GiB in one array).</exception>
    public static IArrowArray Convert(IArrowArray array, IArrowType to)
        => SchemaAlignment.SameType(array.Data.DataType, to) ? array : ArrowArrayFactory.BuildArray(Convert(array.Data, to));

    private static ArrayData Convert(ArrayData data, IArrowType to)
    {
        if (SchemaAlignment.SameType(data.DataType, to))
        {
            return data;
        }

        switch (data.DataType, to)
        {
            case (DictionaryType, _):
                return Convert(Decode(data), to);
            case (StringType or BinaryType or ListType, LargeStringType or LargeBinaryType or LargeListType):
                return Reoffset(data, to, Widen(data));
            case (LargeStringType or LargeBinaryType or LargeListType, StringType or BinaryType or ListType):
                return Reoffset(data, to, Narrow(data));
            case (TimestampType from, TimestampType target):
                return Rescale(data, from.Unit, target);
            case (ListType or LargeListType, ListType or LargeListType):
                return new ArrayData(to, data.Length, data.NullCount, data.Offset, data.Buffers, [Convert(data.Children[0], ItemType(to))]);
            case (StructType, StructType target):
                return new ArrayData(to, data.Length, data.NullCount, data.Offset, data.Buffers,
                    [.. data.Children.Select((child, i) => Convert(child, target.Fields[i].DataType))]);
            default:
                throw new InvalidOperationException($"{SchemaAlignment.Describe(data.DataType)} does not convert to {SchemaAlignment.Describe(to)}.");
        }
    }

    // The same buffers with offsets of the other width; a list's items converted to the target's item type.
    private static ArrayData Reoffset(ArrayData data, IArrowType to, ArrowBuffer offsets)
    {
        var buffers = data.Buffers.ToArray();
        buffers[1] = offsets;
        return to is ListType or LargeListType
            ? new ArrayData(to, data.Length, data.NullCount, data.Offset, buffers, [Convert(data.Children[0], ItemType(to))])
            : new ArrayData(to, data.Length, data.NullCount, data.Offset, buffers);
    }

    private static ArrowBuffer Widen(ArrayData data)
    {
        var count = data.Length == 0 && data.Buffers[1].IsEmpty ? 0 : data.Offset + data.Length + 1;
        var narrow = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span)[..count];
        var wide = new long[count];
        for (var i = 0; i < count; i++)
        {
            wide[i] = narrow[i];
        }

        return new ArrowBuffer(MemoryMarshal.AsBytes(wide.AsSpan()).ToArray());
    }

    private static ArrowBuffer Narrow(ArrayData data)
    {
        var count = data.Length == 0 && data.Buffers[1].IsEmpty ? 0 : data.Offset + data.Length + 1;
        var wide = MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span)[..count];
        if (count > 0 && wide[count - 1] > int.MaxValue)
        {
            throw new LanceSchemaException(
                $"A {SchemaAlignment.Describe(data.DataType)} array holds {wide[count - 1]:N0} bytes or items, more than 32-bit offsets can address; write it in smaller batches.");
        }

        var narrow = new int[count];
        for (var i = 0; i < count; i++)
        {
            narrow[i] = (int)wide[i];
        }

        return new ArrowBuffer(MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
    }

    // Timestamps in another unit: multiplied exactly, or divided where nothing is lost; a value that would change is refused.
    private static ArrayData Rescale(ArrayData data, TimeUnit from, TimestampType to)
    {
        var source = MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span).Slice(data.Offset, data.Length);
        var (up, down) = (Scale(to.Unit) / Scale(from), Scale(from) / Scale(to.Unit));
        var values = new long[data.Length];
        var validity = data.NullCount == 0 || data.Buffers[0].IsEmpty ? default : data.Buffers[0].Span;
        for (var i = 0; i < values.Length; i++)
        {
            if (!validity.IsEmpty && !BitUtility.GetBit(validity, data.Offset + i))
            {
                continue;
            }

            var value = source[i];
            if (up > 1)
            {
                values[i] = value > long.MaxValue / up || value < long.MinValue / up
                    ? throw new LanceSchemaException($"The timestamp {value} ({from}) is out of the range of timestamp[{to.Unit}].")
                    : value * up;
            }
            else
            {
                values[i] = value % down == 0 ? value / down
                    : throw new LanceSchemaException(
                        $"The timestamp {value} ({from}) has a part finer than a {to.Unit.ToString().ToLowerInvariant()}, which a timestamp[{to.Unit}] column cannot hold; truncate it first.");
            }
        }

        var bits = validity.IsEmpty ? ArrowBuffer.Empty : new ArrowBuffer(CopyBits(validity, data.Offset, data.Length));
        return new ArrayData(to, data.Length, data.NullCount, 0, [bits, new ArrowBuffer(MemoryMarshal.AsBytes(values.AsSpan()).ToArray())]);
    }

    private static long Scale(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 1,
        TimeUnit.Millisecond => 1_000,
        TimeUnit.Microsecond => 1_000_000,
        _ => 1_000_000_000,
    };

    private static byte[] CopyBits(ReadOnlySpan<byte> bits, int offset, int length)
    {
        var copy = new byte[(length + 7) / 8];
        for (var i = 0; i < length; i++)
        {
            if (BitUtility.GetBit(bits, offset + i))
            {
                BitUtility.SetBit(copy, i);
            }
        }

        return copy;
    }

    // A dictionary of strings as the plain strings it stands for.
    private static ArrayData Decode(ArrayData data)
    {
        var dictionary = (DictionaryArray)ArrowArrayFactory.BuildArray(data);
        var values = dictionary.Dictionary;
        var indices = dictionary.Indices;
        var builder = new StringArray.Builder();
        for (var i = 0; i < dictionary.Length; i++)
        {
            if (indices.IsNull(i))
            {
                builder.AppendNull();
                continue;
            }

            var index = (int)(indices switch
            {
                Int8Array a => a.GetValue(i)!.Value,
                Int16Array a => a.GetValue(i)!.Value,
                Int32Array a => a.GetValue(i)!.Value,
                Int64Array a => a.GetValue(i)!.Value,
                UInt8Array a => a.GetValue(i)!.Value,
                UInt16Array a => a.GetValue(i)!.Value,
                UInt32Array a => a.GetValue(i)!.Value,
                UInt64Array a => (long)a.GetValue(i)!.Value,
                _ => throw new InvalidOperationException($"A dictionary index of {SchemaAlignment.Describe(indices.Data.DataType)}."),
            });
            if (values.IsNull(index))
            {
                builder.AppendNull();
            }
            else
            {
                builder.Append(values is LargeStringArray large ? large.GetBytes(index) : ((StringArray)values).GetBytes(index));
            }
        }

        return builder.Build().Data;
    }

    private static IArrowType ItemType(IArrowType list) => list switch
    {
        ListType l => l.ValueDataType,
        LargeListType l => l.ValueDataType,
        _ => throw new InvalidOperationException($"{SchemaAlignment.Describe(list)} is not a list."),
    };

    private static bool IsIndex(IArrowType type) => type.TypeId is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
        or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64;
}
