using System.Numerics;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Arrays;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;

namespace Lance.Engine.Query.Filtering;

/// <summary>Turns Arrow arrays into <see cref="ColumnVector"/>s: one pass per column, no per-row objects.</summary>
internal static class ArrowColumns
{
    /// <summary>The filter type of an Arrow type.</summary>
    public static FilterType TypeOf(IArrowType type) => type switch
    {
        NullType => FilterType.Null,
        BooleanType => FilterType.Boolean,
        Int8Type or Int16Type or Int32Type or Int64Type or UInt8Type or UInt16Type or UInt32Type or UInt64Type
            or FloatType or DoubleType or HalfFloatType => FilterType.Of(NumericTypes.Of(type)),
        Decimal128Type d => FilterType.Decimal(NumberType.Decimal128, d.Precision, d.Scale),
        Decimal256Type d => FilterType.Decimal(NumberType.Decimal256, d.Precision, d.Scale),
        DictionaryType d => TypeOf(d.ValueType),
        Time32Type t => new FilterType(ValueKind.Time, t.Unit),
        Time64Type t => new FilterType(ValueKind.Time, t.Unit),
        ListType or LargeListType or FixedSizeListType => new FilterType(ValueKind.List),
        StringType or LargeStringType => FilterType.String,
        BinaryType or LargeBinaryType or FixedSizeBinaryType => new FilterType(ValueKind.Binary),
        Date32Type or Date64Type => new FilterType(ValueKind.Date),
        TimestampType t => new FilterType(ValueKind.Timestamp, t.Unit),
        _ => new FilterType(ValueKind.Other),
    };

    /// <summary>The element type of a list type.</summary>
    public static IArrowType? ElementType(IArrowType type) => type switch
    {
        ListType l => l.ValueDataType,
        LargeListType l => l.ValueDataType,
        FixedSizeListType l => l.ValueDataType,
        _ => null,
    };

    // Decoded columns are shared (the dataset caches them, data files never change), so the
    // widened copy of a top-level column is kept as long as the Arrow array lives.
    private static readonly ConditionalWeakTable<IArrowArray, ColumnVector> Converted = [];

    /// <summary>Reads <paramref name="array"/> as a vector; <paramref name="parentValid"/> (a struct's validity) masks it.</summary>
    public static ColumnVector Read(IArrowArray array, bool[]? parentValid)
    {
        if (parentValid is not null)
        {
            return Convert(array, parentValid);
        }

        return Converted.GetValue(array, static a => Convert(a, null));
    }

    private static ColumnVector Convert(IArrowArray array, bool[]? parentValid)
    {
        if (array is DictionaryArray dictionary)
        {
            return ConvertDictionary(dictionary, parentValid);
        }

        if (array is NullArray)
        {
            // Arrow's Null type: a column of NULLs, typed as a bare NULL is.
            return ColumnVector.Nulls(FilterType.Null, array.Length);
        }

        var valid = Combine(Validity(array), parentValid);
        var type = TypeOf(array.Data.DataType);
        return array switch
        {
            Int8Array a => Ints(type, a.Values, valid),
            Int16Array a => Ints(type, a.Values, valid),
            Int32Array a => Ints(type, a.Values, valid),
            Int64Array a => ColumnVector.OfInts(type, a.Values.ToArray(), valid),
            UInt8Array a => Ints(type, a.Values, valid),
            UInt16Array a => Ints(type, a.Values, valid),
            UInt32Array a => Ints(type, a.Values, valid),
            UInt64Array a => Ints(type, a.Values, valid),
            FloatArray a => Floats(type, a.Values, valid),
            DoubleArray a => ColumnVector.OfFloats(type, a.Values.ToArray(), valid),
            HalfFloatArray a => Floats(type, a.Values, valid),
            Decimal128Array a => ColumnVector.OfDecimals(type, Decimals(a, 16), valid),
            Decimal256Array a => ColumnVector.OfDecimals(type, Decimals(a, 32), valid),
            DictionaryArray a => Decode(a, valid),
            Time32Array a => ColumnVector.OfInts(type, Widen(a.Values), valid),
            Time64Array a => ColumnVector.OfInts(type, a.Values.ToArray(), valid),
            ListArray a => ColumnVector.OfList(Rebase(a.ValueOffsets), () => Read(a.Values, null), valid),
            LargeListArray a => ColumnVector.OfList(LargeRebase(a.ValueOffsets), () => Read(a.Values, null), valid),
            FixedSizeListArray a => ColumnVector.OfList(FixedListOffsets(a), () => Read(a.Values, null), valid),
            BooleanArray a => ColumnVector.OfBools(Bools(a), valid),
            StringArray a => ColumnVector.OfBytes(FilterType.String, Offsets(a.ValueBuffer.Memory, a.ValueOffsets), valid),
            LargeStringArray a => ColumnVector.OfBytes(FilterType.String, LargeOffsets(a.ValueBuffer.Memory, a.ValueOffsets), valid),
            BinaryArray a => ColumnVector.OfBytes(new FilterType(ValueKind.Binary), Offsets(a.ValueBuffer.Memory, a.ValueOffsets), valid),
            LargeBinaryArray a => ColumnVector.OfBytes(new FilterType(ValueKind.Binary), LargeOffsets(a.ValueBuffer.Memory, a.ValueOffsets), valid),
            FixedSizeBinaryArray a => ColumnVector.OfBytes(new FilterType(ValueKind.Binary), FixedOffsets(a), valid),
            Date32Array a => ColumnVector.OfInts(new FilterType(ValueKind.Date), Widen(a.Values), valid),
            Date64Array a => ColumnVector.OfInts(new FilterType(ValueKind.Date), Date64Days(a.Values), valid),
            TimestampArray a => ColumnVector.OfInts(new FilterType(ValueKind.Timestamp, ((TimestampType)a.Data.DataType).Unit), a.Values.ToArray(), valid),
            _ => ColumnVector.Opaque(array.Length, valid),
        };
    }

    // A dictionary column read as the plain column of its values (each row's value looked up).
    private static ColumnVector ConvertDictionary(DictionaryArray array, bool[]? parentValid)
    {
        var rows = new int[array.Length];
        bool[]? valid = null;
        for (var i = 0; i < rows.Length; i++)
        {
            if (DictionaryArrays.IsNull(array.Data, i))
            {
                valid ??= Enumerable.Repeat(true, rows.Length).ToArray();
                valid[i] = false;
            }
            else
            {
                rows[i] = (int)DictionaryArrays.KeyAt(array.Data, i);
            }
        }

        if (array.Dictionary.Length == 0)
        {
            return Convert(ArrowEmpty.CreateNulls(array.Dictionary.Data.DataType, array.Length), parentValid); // every row is null
        }

        return Convert(ArrowTake.Take(array.Dictionary, rows), Combine(valid, parentValid));
    }

    /// <summary>Per-row validity of an array, or null when it has no nulls.</summary>
    public static bool[]? Validity(IArrowArray array)
    {
        if (array.NullCount == 0)
        {
            return null;
        }

        var bitmap = array.Data.Buffers[0].Span;
        var offset = array.Offset;
        var valid = new bool[array.Length];
        if (bitmap.IsEmpty)
        {
            return array.NullCount == array.Length ? valid : null;
        }

        for (var i = 0; i < valid.Length; i++)
        {
            var bit = offset + i;
            valid[i] = ((bitmap[bit >> 3] >> (bit & 7)) & 1) != 0;
        }

        return valid;
    }

    /// <summary>Row-wise AND of two validities (null = all valid).</summary>
    public static bool[]? Combine(bool[]? a, bool[]? b)
    {
        if (a is null)
        {
            return b;
        }

        if (b is null)
        {
            return a;
        }

        var result = new bool[a.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = a[i] & b[i];
        }

        return result;
    }

    private static ColumnVector Ints<T>(FilterType type, ReadOnlySpan<T> values, bool[]? valid)
        where T : struct, INumber<T>
        => ColumnVector.OfInts(type, Widen(values), valid);

    // Unscaled decimal values: little-endian two's complement of 16 or 32 bytes each.
    private static System.Numerics.BigInteger[] Decimals(IArrowArray array, int width)
    {
        var bytes = array.Data.Buffers[1].Span;
        var result = new System.Numerics.BigInteger[array.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new System.Numerics.BigInteger(bytes.Slice((array.Offset + i) * width, width), isUnsigned: false, isBigEndian: false);
        }

        return result;
    }

    // A dictionary column is filtered by its values, as DataFusion does: the value of each row's key.
    private static ColumnVector Decode(DictionaryArray array, bool[]? valid)
    {
        var keys = Read(array.Indices, null);
        var values = Read(array.Dictionary, null);
        var n = array.Length;
        var rowValid = new bool[n];
        var any = false;
        for (var i = 0; i < n; i++)
        {
            rowValid[i] = (valid is null || valid[i]) && keys.IsValid(i) && values.IsValid((int)keys.Ints![i]);
            any |= !rowValid[i];
        }

        var take = new int[n];
        for (var i = 0; i < n; i++)
        {
            take[i] = rowValid[i] ? (int)keys.Ints![i] : 0;
        }

        return Take(values, take, any ? rowValid : null);
    }

    /// <summary>The values at <paramref name="indices"/> of <paramref name="values"/>, with the given validity.</summary>
    public static ColumnVector Take(ColumnVector values, int[] indices, bool[]? valid)
    {
        var n = indices.Length;
        switch (values.Kind)
        {
            case ValueKind.Boolean:
                return ColumnVector.OfBools(Gather(values.Bools!, indices), valid);
            case ValueKind.Float:
                return ColumnVector.OfFloats(values.Type, Gather(values.Floats!, indices), valid);
            case ValueKind.Decimal:
                return ColumnVector.OfDecimals(values.Type, Gather(values.Decimals!, indices), valid);
            case ValueKind.String or ValueKind.Binary:
                var builder = new Utf8Values.Builder(n, n * 8);
                for (var i = 0; i < n; i++)
                {
                    builder.Append(values.Bytes!.Count == 0 ? [] : values.Bytes[indices[i]]);
                }

                return ColumnVector.OfBytes(values.Type, builder.Build(), valid);
            case ValueKind.Other or ValueKind.List or ValueKind.Null:
                return ColumnVector.Opaque(n, valid);
            default:
                return ColumnVector.OfInts(values.Type, Gather(values.Ints!, indices), valid);
        }
    }

    private static T[] Gather<T>(T[] source, int[] indices)
    {
        var result = new T[indices.Length];
        if (source.Length == 0)
        {
            return result;
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] = source[indices[i]];
        }

        return result;
    }

    // List offsets relative to the first item the (possibly sliced) list array holds, whose
    // values the child vector is read from as a whole.
    private static int[] Rebase(ReadOnlySpan<int> offsets) => offsets.ToArray();

    private static int[] LargeRebase(ReadOnlySpan<long> offsets)
    {
        var result = new int[offsets.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = checked((int)offsets[i]);
        }

        return result;
    }

    private static int[] FixedListOffsets(FixedSizeListArray array)
    {
        var size = ((FixedSizeListType)array.Data.DataType).ListSize;
        var result = new int[array.Length + 1];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (array.Offset + i) * size;
        }

        return result;
    }

    private static long[] Widen<T>(ReadOnlySpan<T> values)
        where T : struct, INumber<T>
    {
        var result = new long[values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = long.CreateTruncating(values[i]);
        }

        return result;
    }

    private static ColumnVector Floats<T>(FilterType type, ReadOnlySpan<T> values, bool[]? valid)
        where T : struct, INumber<T>
    {
        var result = new double[values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = double.CreateTruncating(values[i]);
        }

        return ColumnVector.OfFloats(type, result, valid);
    }

    private static long[] Date64Days(ReadOnlySpan<long> millis)
    {
        var result = new long[millis.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (long)Math.Floor(millis[i] / 86_400_000.0);
        }

        return result;
    }

    private static bool[] Bools(BooleanArray array)
    {
        var bits = array.ValueBuffer.Span;
        var offset = array.Offset;
        var result = new bool[array.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var bit = offset + i;
            result[i] = ((bits[bit >> 3] >> (bit & 7)) & 1) != 0;
        }

        return result;
    }

    private static Utf8Values Offsets(ReadOnlyMemory<byte> data, ReadOnlySpan<int> offsets) => new(data, offsets.ToArray());

    private static Utf8Values LargeOffsets(ReadOnlyMemory<byte> data, ReadOnlySpan<long> offsets)
    {
        var result = new int[offsets.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = checked((int)offsets[i]);
        }

        return new Utf8Values(data, result);
    }

    private static Utf8Values FixedOffsets(FixedSizeBinaryArray array)
    {
        var width = ((FixedSizeBinaryType)array.Data.DataType).ByteWidth;
        var result = new int[array.Length + 1];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (array.Offset + i) * width;
        }

        return new Utf8Values(array.ValueBuffer.Memory, result);
    }
}
