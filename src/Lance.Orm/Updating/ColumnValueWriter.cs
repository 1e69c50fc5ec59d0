using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Orm.Serialization;

namespace Lance.Orm.Updating;

/// <summary>
/// Writes .NET values into an Arrow array of a column's type, converting each the way the
/// generated model writers do (<see cref="TimestampConverter"/>, <see cref="UuidConverter"/>,
/// <see cref="Decimal128Converter"/>, enum names, …), so an untyped update stores what a typed add
/// of the same value stores. Nested values: a list column takes any <see cref="IEnumerable"/>, a
/// struct column a dictionary of field name → value, and any column a one-row Arrow array of its type.
/// </summary>
internal sealed class ColumnValueWriter
{
    // A slot under a null list or struct: written as null whatever the field's nullability (Arrow
    // never reads it), where a null the caller passed to a non-nullable field is refused.
    private static readonly object Absent = new();

    private readonly string _table;

    private ColumnValueWriter(string table) => _table = table;

    /// <summary>A one-row array holding <paramref name="value"/> as column <paramref name="field"/> of table <paramref name="table"/> stores it.</summary>
    /// <exception cref="LanceSchemaException">The value does not fit the column; the message names the table, the column and the value.</exception>
    public static IArrowArray OneRow(Field field, object? value, string table)
    {
        if (value is IArrowArray array)
        {
            if (array.Length != 1 || !ArrowArrays.SameType(array.Data.DataType, field.DataType))
            {
                throw new LanceSchemaException(
                    $"The Arrow value for column '{field.Name}' of table '{table}' must be one row of {ArrowArrays.Describe(field.DataType)}; " +
                    $"it is {array.Length} rows of {ArrowArrays.Describe(array.Data.DataType)}.");
            }

            if (array.NullCount > 0 && !field.IsNullable)
            {
                throw new LanceSchemaException($"Column '{field.Name}' of table '{table}' is not nullable, so it cannot be set to null.");
            }

            return array;
        }

        var writer = new ColumnValueWriter(table);
        return ArrowArrayFactory.BuildArray(writer.Build(field.DataType, field.IsNullable, [value], field.Name));
    }

    private ArrayData Build(IArrowType type, bool nullable, IReadOnlyList<object?> values, string column)
    {
        var length = values.Count;
        var validity = new ValidityBitmap();
        for (var i = 0; i < length; i++)
        {
            if (values[i] is null && !nullable)
            {
                throw new LanceSchemaException($"Column '{column}' of table '{_table}' is not nullable, so it cannot be set to null.");
            }

            if (values[i] is null || values[i] == Absent)
            {
                validity.SetNull(i, length);
            }
        }

        var bits = validity.Build();
        var nulls = validity.NullCount;
        switch (type)
        {
            case BooleanType:
            {
                var data = new byte[BitUtility.ByteCount(length)];
                for (var i = 0; i < length; i++)
                {
                    if (Present(values[i]) is { } value)
                    {
                        BitUtility.SetBit(data, i, value is bool b ? b : throw Mismatch(value, type, column));
                    }
                }

                return new ArrayData(type, length, nulls, 0, [bits, new ArrowBuffer(data)]);
            }

            case StringType or LargeStringType or BinaryType or LargeBinaryType:
                return Variable(type, values, bits, nulls, column);
            case ListType or LargeListType:
                return List(type, values, bits, nulls, column);
            case FixedSizeListType list:
            {
                var items = new List<object?>(length * list.ListSize);
                foreach (var value in values)
                {
                    if (Present(value) is { } present)
                    {
                        var vector = Items(present, type, column);
                        if (vector.Count != list.ListSize)
                        {
                            throw new LanceSchemaException(
                                $"The vector for column '{column}' of table '{_table}' has {vector.Count} values, but the column holds vectors of {list.ListSize} " +
                                $"(expected length {list.ListSize}, actual length {vector.Count}).");
                        }

                        items.AddRange(vector);
                    }
                    else
                    {
                        items.AddRange(Enumerable.Repeat(Absent, list.ListSize));
                    }
                }

                return new ArrayData(type, length, nulls, 0, [bits], [Build(list.ValueDataType, list.ValueField.IsNullable, items, column + ".item")]);
            }

            case StructType structType:
                return Struct(structType, values, bits, nulls, column);
            case DictionaryType dictionary:
            {
                // The dictionary holds each present value once per row (a one-row update: one entry).
                var entries = new List<object?>();
                var indices = new object?[length];
                for (var i = 0; i < length; i++)
                {
                    if (Present(values[i]) is { } value)
                    {
                        indices[i] = (long)entries.Count;
                        entries.Add(value);
                    }
                    else
                    {
                        indices[i] = Absent;
                    }
                }

                var keys = Fixed(dictionary.IndexType, indices, bits, nulls, column);
                return new ArrayData(type, length, nulls, 0, keys.Buffers, [], Build(dictionary.ValueType, nullable: false, entries, column));
            }

            case FixedWidthType:
                return Fixed(type, values, bits, nulls, column);
            default:
                throw new LanceSchemaException(
                    $"Column '{column}' of table '{_table}' is {ArrowArrays.Describe(type)}, which an update cannot set from a .NET value; pass a one-row Arrow array of that type.");
        }
    }

    private ArrayData Fixed(IArrowType type, IReadOnlyList<object?> values, ArrowBuffer bits, int nulls, string column)
    {
        var width = ((FixedWidthType)type).BitWidth / 8;
        var data = new byte[values.Count * width];
        for (var i = 0; i < values.Count; i++)
        {
            if (Present(values[i]) is { } value)
            {
                WriteFixed(data.AsSpan(i * width, width), type, value, column);
            }
        }

        return new ArrayData(type, values.Count, nulls, 0, [bits, new ArrowBuffer(data)]);
    }

    private void WriteFixed(Span<byte> slot, IArrowType type, object value, string column)
    {
        switch (type)
        {
            case Int8Type: slot[0] = (byte)(sbyte)Integer(value, sbyte.MinValue, sbyte.MaxValue, type, column); break;
            case UInt8Type: slot[0] = (byte)Integer(value, byte.MinValue, byte.MaxValue, type, column); break;
            case Int16Type: BinaryPrimitives.WriteInt16LittleEndian(slot, (short)Integer(value, short.MinValue, short.MaxValue, type, column)); break;
            case UInt16Type: BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)Integer(value, ushort.MinValue, ushort.MaxValue, type, column)); break;
            case Int32Type: BinaryPrimitives.WriteInt32LittleEndian(slot, (int)Integer(value, int.MinValue, int.MaxValue, type, column)); break;
            case UInt32Type: BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)Integer(value, uint.MinValue, uint.MaxValue, type, column)); break;
            case Int64Type: BinaryPrimitives.WriteInt64LittleEndian(slot, (long)Integer(value, long.MinValue, long.MaxValue, type, column)); break;
            case UInt64Type: BinaryPrimitives.WriteUInt64LittleEndian(slot, (ulong)Integer(value, ulong.MinValue, ulong.MaxValue, type, column)); break;
            case HalfFloatType: BinaryPrimitives.WriteHalfLittleEndian(slot, value is Half h ? h : (Half)Real(value, type, column)); break;
            case FloatType: BinaryPrimitives.WriteSingleLittleEndian(slot, value is float f ? f : (float)Real(value, type, column)); break;
            case DoubleType: BinaryPrimitives.WriteDoubleLittleEndian(slot, Real(value, type, column)); break;
            case Date32Type: BinaryPrimitives.WriteInt32LittleEndian(slot, default(Date32Converter).ToStorage(Day(value, type, column))); break;
            case Date64Type: BinaryPrimitives.WriteInt64LittleEndian(slot, default(Date32Converter).ToStorage(Day(value, type, column)) * 86_400_000L); break;
            case Time32Type t: BinaryPrimitives.WriteInt32LittleEndian(slot, (int)InUnit(TimeOfDay(value, type, column), t.Unit)); break;
            case Time64Type t: BinaryPrimitives.WriteInt64LittleEndian(slot, InUnit(TimeOfDay(value, type, column), t.Unit)); break;
            case TimestampType t: BinaryPrimitives.WriteInt64LittleEndian(slot, InUnit(Instant(value, t, column), t.Unit)); break;
            case DurationType t: BinaryPrimitives.WriteInt64LittleEndian(slot, InUnit(value is TimeSpan span ? span.Ticks : throw Mismatch(value, type, column), t.Unit)); break;
            case Decimal128Type d: BinaryPrimitives.WriteInt128LittleEndian(slot, Decimal(value, d.Precision, d.Scale, type, column)); break;
            case Decimal256Type d:
                // A System.Decimal has at most 29 digits: its 128-bit form, sign-extended, is the 256-bit value.
                var wide = Decimal(value, Math.Min(38, d.Precision), d.Scale, type, column);
                BinaryPrimitives.WriteInt128LittleEndian(slot, wide);
                slot[16..].Fill(wide < 0 ? (byte)0xFF : (byte)0);
                break;
            case FixedSizeBinaryType binary:
                if (value is Guid guid && binary.ByteWidth == 16)
                {
                    var storage = default(UuidConverter).ToStorage(guid);
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<Int128>(in storage)).CopyTo(slot);
                }
                else if (Bytes(value) is { } bytes && bytes.Length == binary.ByteWidth)
                {
                    bytes.CopyTo(slot);
                }
                else
                {
                    throw Mismatch(value, type, column);
                }

                break;
            default:
                throw new LanceSchemaException(
                    $"Column '{column}' of table '{_table}' is {ArrowArrays.Describe(type)}, which an update cannot set from a .NET value; pass a one-row Arrow array of that type.");
        }
    }

    private ArrayData Variable(IArrowType type, IReadOnlyList<object?> values, ArrowBuffer bits, int nulls, string column)
    {
        var large = type is LargeStringType or LargeBinaryType;
        var text = type is StringType or LargeStringType;
        var offsets = new long[values.Count + 1];
        var data = new List<byte>();
        for (var i = 0; i < values.Count; i++)
        {
            if (Present(values[i]) is { } value)
            {
                var bytes = text ? System.Text.Encoding.UTF8.GetBytes(Text(value, type, column)) : Bytes(value) ?? throw Mismatch(value, type, column);
                data.AddRange(bytes);
            }

            offsets[i + 1] = data.Count;
        }

        return new ArrayData(type, values.Count, nulls, 0, [bits, Offsets(offsets, large), new ArrowBuffer(data.ToArray())]);
    }

    private ArrayData List(IArrowType type, IReadOnlyList<object?> values, ArrowBuffer bits, int nulls, string column)
    {
        var itemField = type is ListType list ? list.ValueField : ((LargeListType)type).ValueField;
        var offsets = new long[values.Count + 1];
        var items = new List<object?>();
        for (var i = 0; i < values.Count; i++)
        {
            if (Present(values[i]) is { } value)
            {
                items.AddRange(Items(value, type, column));
            }

            offsets[i + 1] = items.Count;
        }

        var child = Build(itemField.DataType, itemField.IsNullable, items, column + ".item");
        return new ArrayData(type, values.Count, nulls, 0, [bits, Offsets(offsets, type is LargeListType)], [child]);
    }

    private ArrayData Struct(StructType type, IReadOnlyList<object?> values, ArrowBuffer bits, int nulls, string column)
    {
        var fields = new List<object?>[type.Fields.Count];
        for (var f = 0; f < fields.Length; f++)
        {
            fields[f] = new List<object?>(values.Count);
        }

        foreach (var value in values)
        {
            if (Present(value) is not { } present)
            {
                foreach (var list in fields)
                {
                    list.Add(Absent);
                }

                continue;
            }

            var members = Members(present, type, column);
            var unknown = members.Keys.Where(k => type.Fields.All(f => f.Name != k)).ToList();
            if (unknown.Count > 0)
            {
                throw new LanceSchemaException(
                    $"Column '{column}' of table '{_table}' has no field {string.Join(", ", unknown.Select(k => $"'{k}'"))}. Fields: {string.Join(", ", type.Fields.Select(f => f.Name))}.");
            }

            for (var f = 0; f < fields.Length; f++)
            {
                fields[f].Add(members.GetValueOrDefault(type.Fields[f].Name));
            }
        }

        var children = type.Fields.Select((f, i) => Build(f.DataType, f.IsNullable, fields[i], column + "." + f.Name)).ToArray();
        return new ArrayData(type, values.Count, nulls, 0, [bits], children);
    }

    private static object? Present(object? value) => value == Absent ? null : value;

    private static ArrowBuffer Offsets(long[] offsets, bool large)
    {
        if (large)
        {
            return new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(offsets.AsSpan()).ToArray());
        }

        var narrow = offsets.Select(o => checked((int)o)).ToArray();
        return new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
    }

    private List<object?> Items(object value, IArrowType type, string column) => value switch
    {
        ReadOnlyMemory<float> m => m.ToArray().Cast<object?>().ToList(),
        ReadOnlyMemory<Half> m => m.ToArray().Cast<object?>().ToList(),
        ReadOnlyMemory<byte> m => m.ToArray().Cast<object?>().ToList(),
        ReadOnlyMemory<double> m => m.ToArray().Cast<object?>().ToList(),
        string or IDictionary => throw Mismatch(value, type, column),
        IEnumerable items => items.Cast<object?>().ToList(),
        _ => throw Mismatch(value, type, column),
    };

    private Dictionary<string, object?> Members(object value, StructType type, string column)
    {
        switch (value)
        {
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                return pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            case IDictionary dictionary:
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dictionary)
                {
                    result[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = entry.Value;
                }

                return result;
            case ILanceModel:
                throw new LanceSchemaException(
                    $"Column '{column}' of table '{_table}' is a struct; an untyped update takes its value as a dictionary of field name to value " +
                    $"(fields: {string.Join(", ", type.Fields.Select(f => f.Name))}), or set it through Table<{value.GetType().Name}>.UpdateAsync with a model.");
            default:
                throw Mismatch(value, type, column);
        }
    }

    private static byte[]? Bytes(object value) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.ToArray(),
        Memory<byte> m => m.ToArray(),
        _ => null,
    };

    private string Text(object value, IArrowType type, string column) => value switch
    {
        string s => s,
        Enum e => EnumName(e, column),
        _ => throw Mismatch(value, type, column),
    };

    private string EnumName(Enum value, string column) => Enum.GetName(value.GetType(), value)
        ?? throw new LanceSchemaException(
            $"{value} is not a named member of {value.GetType().Name}, so column '{column}' of table '{_table}' (the enum's names) cannot store it. " +
            "Use a named value, or store the enum as an integer.");

    private Int128 Integer(object value, Int128 min, Int128 max, IArrowType type, string column)
    {
        Int128? integer = value switch
        {
            sbyte v => v,
            byte v => v,
            short v => v,
            ushort v => v,
            int v => v,
            uint v => v,
            long v => v,
            ulong v => v,
            Int128 v => v,
            UInt128 v when v <= (UInt128)Int128.MaxValue => (Int128)v,
            BigInteger v when v >= (BigInteger)Int128.MinValue && v <= (BigInteger)Int128.MaxValue => (Int128)v,
            Enum e => Type.GetTypeCode(Enum.GetUnderlyingType(e.GetType())) is TypeCode.UInt64
                ? Convert.ToUInt64(e, CultureInfo.InvariantCulture)
                : Convert.ToInt64(e, CultureInfo.InvariantCulture),
            _ => null,
        };
        return integer is { } i && i >= min && i <= max ? i : throw Mismatch(value, type, column);
    }

    private double Real(object value, IArrowType type, string column) => value switch
    {
        Half h => (double)h,
        float f => f,
        double d => d,
        decimal or sbyte or byte or short or ushort or int or uint or long or ulong => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => throw Mismatch(value, type, column),
    };

    private DateOnly Day(object value, IArrowType type, string column) => value switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        _ => throw Mismatch(value, type, column),
    };

    /// <summary>Ticks since midnight.</summary>
    private long TimeOfDay(object value, IArrowType type, string column) => value switch
    {
        TimeOnly t => t.Ticks,
        TimeSpan s when s >= TimeSpan.Zero && s < TimeSpan.FromDays(1) => s.Ticks,
        _ => throw Mismatch(value, type, column),
    };

    /// <summary>
    /// Ticks since the Unix epoch. A column without a time zone stores a <see cref="DateTime"/>'s
    /// wall-clock value whatever its kind (as <see cref="TimestampConverter"/> does); one with a
    /// zone stores the instant, so a local time is converted to UTC first.
    /// </summary>
    private long Instant(object value, TimestampType type, string column) => value switch
    {
        DateTime t when type.Timezone is null => t.Ticks - DateTime.UnixEpoch.Ticks,
        DateTime t => (t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t).Ticks - DateTime.UnixEpoch.Ticks,
        DateTimeOffset o => o.UtcTicks - DateTime.UnixEpoch.Ticks,
        _ => throw Mismatch(value, type, column),
    };

    /// <summary>Ticks in <paramref name="unit"/>, rounded toward negative infinity as the generated converters do.</summary>
    private static long InUnit(long ticks, TimeUnit unit)
    {
        var per = unit switch
        {
            TimeUnit.Second => TimeSpan.TicksPerSecond,
            TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
            TimeUnit.Microsecond => TimeSpan.TicksPerMicrosecond,
            _ => 0,
        };
        if (per == 0)
        {
            return checked(ticks * 100); // nanoseconds
        }

        var quotient = Math.DivRem(ticks, per, out var rest);
        return rest < 0 ? quotient - 1 : quotient;
    }

    private Int128 Decimal(object value, int precision, int scale, IArrowType type, string column)
    {
        decimal number;
        try
        {
            number = value switch
            {
                decimal d => d,
                sbyte or byte or short or ushort or int or uint or long or ulong => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
                _ => throw Mismatch(value, type, column),
            };
        }
        catch (OverflowException e)
        {
            throw new LanceSchemaException($"The value {value} does not fit column '{column}' ({ArrowArrays.Describe(type)}) of table '{_table}'.", e);
        }

        if (scale > 28)
        {
            throw new LanceSchemaException(
                $"Column '{column}' of table '{_table}' has scale {scale}; a System.Decimal holds at most 28 digits after the point. Pass a one-row Arrow array instead.");
        }

        try
        {
            return new Decimal128Converter(precision, scale).ToStorage(number);
        }
        catch (LanceSchemaException e)
        {
            throw new LanceSchemaException($"Column '{column}' of table '{_table}': {e.Message}", e);
        }
    }

    private LanceSchemaException Mismatch(object value, IArrowType type, string column) => new(
        $"The value {Describe(value)} ({value.GetType().Name}) does not fit column '{column}' ({ArrowArrays.Describe(type)}) of table '{_table}'.");

    private static string Describe(object value)
    {
        var text = value is string s ? $"'{s}'" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?";
        return text.Length <= 80 ? text : text[..80] + "…";
    }
}
