using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Dataset;

/// <summary>Arrays that repeat one .NET value, typed for a column (for updates and column defaults).</summary>
internal static class ScalarArrays
{
    /// <summary>
    /// An array of <paramref name="length"/> copies of <paramref name="value"/> of <paramref name="field"/>'s type.
    /// </summary>
    /// <exception cref="LanceSchemaException">The value does not fit the column's type, or is null for a non-nullable column.</exception>
    public static IArrowArray Repeat(Field field, object? value, int length, string datasetPath)
    {
        if (value is null)
        {
            if (!field.IsNullable)
            {
                throw new LanceSchemaException($"Column '{field.Name}' of '{datasetPath}' is not nullable, so it cannot be set to null.");
            }

            return Arrow.ArrowEmpty.CreateNulls(field.DataType, length);
        }

        try
        {
            return field.DataType switch
            {
                BooleanType => Fill(new BooleanArray.Builder(), Convert.ToBoolean(value, CultureInfo.InvariantCulture), length),
                Int8Type => Fill(new Int8Array.Builder(), Convert.ToSByte(value, CultureInfo.InvariantCulture), length),
                Int16Type => Fill(new Int16Array.Builder(), Convert.ToInt16(value, CultureInfo.InvariantCulture), length),
                Int32Type => Fill(new Int32Array.Builder(), Convert.ToInt32(value, CultureInfo.InvariantCulture), length),
                Int64Type => Fill(new Int64Array.Builder(), Convert.ToInt64(value, CultureInfo.InvariantCulture), length),
                UInt8Type => Fill(new UInt8Array.Builder(), Convert.ToByte(value, CultureInfo.InvariantCulture), length),
                UInt16Type => Fill(new UInt16Array.Builder(), Convert.ToUInt16(value, CultureInfo.InvariantCulture), length),
                UInt32Type => Fill(new UInt32Array.Builder(), Convert.ToUInt32(value, CultureInfo.InvariantCulture), length),
                UInt64Type => Fill(new UInt64Array.Builder(), Convert.ToUInt64(value, CultureInfo.InvariantCulture), length),
                HalfFloatType => Fill(new HalfFloatArray.Builder(), value is Half h ? h : (Half)Convert.ToSingle(value, CultureInfo.InvariantCulture), length),
                FloatType => Fill(new FloatArray.Builder(), Convert.ToSingle(value, CultureInfo.InvariantCulture), length),
                DoubleType => Fill(new DoubleArray.Builder(), Convert.ToDouble(value, CultureInfo.InvariantCulture), length),
                StringType => Strings(new StringArray.Builder(), (string)value, length),
                LargeStringType => LargeStrings((string)value, length),
                BinaryType => Bytes((byte[])value, length),
                Date32Type => Fill(new Date32Array.Builder(), value is DateOnly d ? d.ToDateTime(TimeOnly.MinValue) : (DateTime)value, length),
                TimestampType t => Timestamps(t, value, length),
                FixedSizeListType { ValueDataType: FloatType } list => Vectors(list, value, length, field.Name, datasetPath),
                _ => throw new LanceSchemaException($"Column '{field.Name}' of '{datasetPath}' has type {field.DataType.Name}, which cannot be set from a .NET value yet."),
            };
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new LanceSchemaException(
                $"The value {Describe(value)} ({value.GetType().Name}) does not fit column '{field.Name}' ({field.DataType.Name}) of '{datasetPath}'.", e);
        }
    }

    private static string Describe(object value) => value is string s ? $"'{s}'" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?";

    private static IArrowArray Fill<T, TArray, TBuilder>(PrimitiveArrayBuilder<T, TArray, TBuilder> builder, T value, int length)
        where T : struct
        where TArray : IArrowArray
        where TBuilder : class, IArrowArrayBuilder<TArray>
    {
        builder.Reserve(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(value);
        }

        return builder.Build(null);
    }

    private static IArrowArray Fill(BooleanArray.Builder builder, bool value, int length)
    {
        builder.Reserve(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(value);
        }

        return builder.Build();
    }

    private static IArrowArray Fill(Date32Array.Builder builder, DateTime value, int length)
    {
        for (var i = 0; i < length; i++)
        {
            builder.Append(value);
        }

        return builder.Build();
    }

    private static IArrowArray Timestamps(TimestampType type, object value, int length)
    {
        var instant = value switch
        {
            DateTimeOffset o => o,
            DateTime d => new DateTimeOffset(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            _ => throw new InvalidCastException(),
        };
        var builder = new TimestampArray.Builder(type);
        for (var i = 0; i < length; i++)
        {
            builder.Append(instant);
        }

        return builder.Build();
    }

    private static IArrowArray Strings(StringArray.Builder builder, string value, int length)
    {
        for (var i = 0; i < length; i++)
        {
            builder.Append(value);
        }

        return builder.Build();
    }

    private static IArrowArray LargeStrings(string value, int length)
    {
        var builder = new LargeStringArray.Builder();
        for (var i = 0; i < length; i++)
        {
            builder.Append(value);
        }

        return builder.Build();
    }

    private static IArrowArray Bytes(byte[] value, int length)
    {
        var builder = new BinaryArray.Builder();
        for (var i = 0; i < length; i++)
        {
            builder.Append(value.AsSpan());
        }

        return builder.Build();
    }

    private static IArrowArray Vectors(FixedSizeListType type, object value, int length, string column, string datasetPath)
    {
        var vector = value switch
        {
            float[] a => a,
            ReadOnlyMemory<float> m => m.ToArray(),
            IEnumerable<float> e => e.ToArray(),
            _ => throw new InvalidCastException(),
        };
        if (vector.Length != type.ListSize)
        {
            throw new LanceSchemaException($"Column '{column}' of '{datasetPath}' holds vectors of {type.ListSize} dimensions; the value has {vector.Length}.");
        }

        var values = new float[length * vector.Length];
        for (var i = 0; i < length; i++)
        {
            vector.CopyTo(values, i * vector.Length);
        }

        var child = new FloatArray(new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()), ArrowBuffer.Empty, values.Length, 0, 0);
        return new FixedSizeListArray(type, length, child, ArrowBuffer.Empty, 0);
    }
}
