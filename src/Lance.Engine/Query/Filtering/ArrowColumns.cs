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
        BooleanType => FilterType.Boolean,
        Int8Type or Int16Type or Int32Type or Int64Type or UInt8Type or UInt16Type or UInt32Type or UInt64Type => FilterType.Integer,
        FloatType or DoubleType or HalfFloatType => FilterType.Float,
        StringType or LargeStringType => FilterType.String,
        BinaryType or LargeBinaryType or FixedSizeBinaryType => new FilterType(ValueKind.Binary),
        Date32Type or Date64Type => new FilterType(ValueKind.Date),
        TimestampType t => new FilterType(ValueKind.Timestamp, t.Unit),
        // As in LanceDB, a dictionary column compares as its values.
        DictionaryType d => TypeOf(d.ValueType),
        _ => new FilterType(ValueKind.Other),
    };

    /// <summary>The range of values an integer Arrow type holds.</summary>
    public static (decimal Min, decimal Max) IntegerRange(IArrowType type) => type switch
    {
        Int8Type => (sbyte.MinValue, sbyte.MaxValue),
        Int16Type => (short.MinValue, short.MaxValue),
        Int32Type => (int.MinValue, int.MaxValue),
        UInt8Type => (byte.MinValue, byte.MaxValue),
        UInt16Type => (ushort.MinValue, ushort.MaxValue),
        UInt32Type => (uint.MinValue, uint.MaxValue),
        UInt64Type => (ulong.MinValue, long.MaxValue), // evaluated as int64
        _ => (long.MinValue, long.MaxValue),
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

        var valid = Combine(Validity(array), parentValid);
        return array switch
        {
            Int8Array a => Ints(a.Values, valid),
            Int16Array a => Ints(a.Values, valid),
            Int32Array a => Ints(a.Values, valid),
            Int64Array a => ColumnVector.OfInts(FilterType.Integer, a.Values.ToArray(), valid),
            UInt8Array a => Ints(a.Values, valid),
            UInt16Array a => Ints(a.Values, valid),
            UInt32Array a => Ints(a.Values, valid),
            UInt64Array a => Ints(a.Values, valid),
            FloatArray a => Floats(a.Values, valid),
            DoubleArray a => ColumnVector.OfFloats(a.Values.ToArray(), valid),
            HalfFloatArray a => Floats(a.Values, valid),
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

    private static ColumnVector Ints<T>(ReadOnlySpan<T> values, bool[]? valid)
        where T : struct, INumber<T>
        => ColumnVector.OfInts(FilterType.Integer, Widen(values), valid);

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

    private static ColumnVector Floats<T>(ReadOnlySpan<T> values, bool[]? valid)
        where T : struct, INumber<T>
    {
        var result = new double[values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = double.CreateTruncating(values[i]);
        }

        return ColumnVector.OfFloats(result, valid);
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
