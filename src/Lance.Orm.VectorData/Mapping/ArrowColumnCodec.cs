using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Extensions.AI;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>
/// The one place that knows how a CLR property value becomes an Arrow value and back. Data types
/// follow LanceDB's mapping (<c>long</c>→int64, <c>string</c>→utf8, <c>DateTime</c>→timestamp[us], ...);
/// a <see cref="Guid"/> is stored as its canonical string, so LanceDB users see readable keys;
/// vectors are <c>fixed_size_list&lt;float32&gt;[dims]</c>.
/// </summary>
internal static class ArrowColumnCodec
{
    internal const string SupportedDataTypes =
        "bool, short, int, long, float, double, string, Guid, DateTime, DateTimeOffset, DateOnly, byte[] (each also nullable), " +
        "and arrays or List<T> of string, int, long, float, double or bool";

    private static readonly Type[] ScalarTypes =
    [
        typeof(bool), typeof(short), typeof(int), typeof(long), typeof(float), typeof(double), typeof(string),
        typeof(Guid), typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(byte[]),
    ];

    private static readonly Type[] ListItemTypes = [typeof(string), typeof(int), typeof(long), typeof(float), typeof(double), typeof(bool)];

    /// <summary>Whether a data property may have this type.</summary>
    internal static bool IsDataType(Type type)
    {
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        return System.Array.IndexOf(ScalarTypes, plain) >= 0 || ListItemType(plain) is not null;
    }

    /// <summary>Whether a vector property may be stored with this type (without embedding generation).</summary>
    internal static bool IsVectorType(Type type)
    {
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        return plain == typeof(ReadOnlyMemory<float>) || plain == typeof(float[]) || plain == typeof(Embedding<float>);
    }

    /// <summary>The item type of a list data type (<c>T[]</c>, <c>List&lt;T&gt;</c>), or null for a scalar type.</summary>
    internal static Type? ListItemType(Type type)
    {
        Type? item = type.IsArray && type != typeof(byte[]) ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0]
            : null;
        return item is not null && System.Array.IndexOf(ListItemTypes, item) >= 0 ? item : null;
    }

    /// <summary>The Arrow type a data or key value of <paramref name="type"/> is stored as.</summary>
    internal static IArrowType ArrowTypeOf(Type type)
    {
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        if (ListItemType(plain) is { } item)
        {
            return new ListType(new Field("item", ArrowTypeOf(item), true));
        }

        return plain switch
        {
            _ when plain == typeof(bool) => BooleanType.Default,
            _ when plain == typeof(short) => Int16Type.Default,
            _ when plain == typeof(int) => Int32Type.Default,
            _ when plain == typeof(long) => Int64Type.Default,
            _ when plain == typeof(float) => FloatType.Default,
            _ when plain == typeof(double) => DoubleType.Default,
            _ when plain == typeof(string) || plain == typeof(Guid) => StringType.Default,
            _ when plain == typeof(DateTime) => new TimestampType(TimeUnit.Microsecond, (string?)null),
            _ when plain == typeof(DateTimeOffset) => new TimestampType(TimeUnit.Microsecond, "UTC"),
            _ when plain == typeof(DateOnly) => Date32Type.Default,
            _ when plain == typeof(byte[]) => BinaryType.Default,
            _ => throw new NotSupportedException($"Type '{type.Name}' cannot be stored in a Lance collection; supported: {SupportedDataTypes}."),
        };
    }

    /// <summary>The Arrow type of a vector column of <paramref name="dimensions"/> floats.</summary>
    internal static FixedSizeListType VectorType(int dimensions) => new(new Field("item", FloatType.Default, true), dimensions);

    /// <summary>Builds one Arrow column from values of <paramref name="type"/> (nulls allowed).</summary>
    internal static IArrowArray BuildColumn(Type type, IReadOnlyList<object?> values)
    {
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        if (ListItemType(plain) is { } item)
        {
            return BuildList(item, values);
        }

        switch (plain)
        {
            case var _ when plain == typeof(bool):
                var bools = new BooleanArray.Builder();
                foreach (var v in values) { if (v is null) { bools.AppendNull(); } else { bools.Append((bool)v); } }
                return bools.Build();
            case var _ when plain == typeof(short):
                var shorts = new Int16Array.Builder();
                foreach (var v in values) { if (v is null) { shorts.AppendNull(); } else { shorts.Append((short)v); } }
                return shorts.Build();
            case var _ when plain == typeof(int):
                var ints = new Int32Array.Builder();
                foreach (var v in values) { if (v is null) { ints.AppendNull(); } else { ints.Append((int)v); } }
                return ints.Build();
            case var _ when plain == typeof(long):
                var longs = new Int64Array.Builder();
                foreach (var v in values) { if (v is null) { longs.AppendNull(); } else { longs.Append((long)v); } }
                return longs.Build();
            case var _ when plain == typeof(float):
                var floats = new FloatArray.Builder();
                foreach (var v in values) { if (v is null) { floats.AppendNull(); } else { floats.Append((float)v); } }
                return floats.Build();
            case var _ when plain == typeof(double):
                var doubles = new DoubleArray.Builder();
                foreach (var v in values) { if (v is null) { doubles.AppendNull(); } else { doubles.Append((double)v); } }
                return doubles.Build();
            case var _ when plain == typeof(string) || plain == typeof(Guid):
                var strings = new StringArray.Builder();
                foreach (var v in values) { if (v is null) { strings.AppendNull(); } else { strings.Append(v is Guid g ? g.ToString("D") : (string)v); } }
                return strings.Build();
            case var _ when plain == typeof(DateTime) || plain == typeof(DateTimeOffset):
                var stamps = new TimestampArray.Builder((TimestampType)ArrowTypeOf(plain));
                foreach (var v in values)
                {
                    switch (v)
                    {
                        case null: stamps.AppendNull(); break;
                        case DateTimeOffset o: stamps.Append(o); break;
                        case DateTime d: stamps.Append(new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc))); break;
                    }
                }

                return stamps.Build();
            case var _ when plain == typeof(DateOnly):
                var dates = new Date32Array.Builder();
                foreach (var v in values) { if (v is null) { dates.AppendNull(); } else { dates.Append((DateOnly)v); } }
                return dates.Build();
            case var _ when plain == typeof(byte[]):
                var binary = new BinaryArray.Builder();
                foreach (var v in values) { if (v is null) { binary.AppendNull(); } else { binary.Append(((byte[])v).AsSpan()); } }
                return binary.Build();
            default:
                throw new NotSupportedException($"Type '{type.Name}' cannot be stored in a Lance collection; supported: {SupportedDataTypes}.");
        }
    }

    private static ListArray BuildList(Type item, IReadOnlyList<object?> values)
    {
        var itemBuffer = new List<object?>();
        var lengths = new List<int>(values.Count);
        foreach (var v in values)
        {
            if (v is null)
            {
                lengths.Add(-1);
                continue;
            }

            var count = 0;
            foreach (var element in (System.Collections.IEnumerable)v)
            {
                itemBuffer.Add(element);
                count++;
            }

            lengths.Add(count);
        }

        // Offsets and validity come from the builder; the items are built in one go as a plain column.
        var items = BuildColumn(item, itemBuffer);
        var offsets = new ArrowBuffer.Builder<int>(values.Count + 1);
        var validity = new ArrowBuffer.BitmapBuilder(values.Count);
        var offset = 0;
        var nulls = 0;
        offsets.Append(0);
        foreach (var length in lengths)
        {
            validity.Append(length >= 0);
            nulls += length < 0 ? 1 : 0;
            offset += Math.Max(length, 0);
            offsets.Append(offset);
        }

        return new ListArray(new ListType(new Field("item", items.Data.DataType, true)), values.Count, offsets.Build(), items, validity.Build(), nulls);
    }

    /// <summary>Builds a vector column from float vectors (null rows allowed); each must have <paramref name="dimensions"/> values.</summary>
    internal static FixedSizeListArray BuildVectors(IReadOnlyList<ReadOnlyMemory<float>?> vectors, int dimensions, string column)
    {
        var values = new ArrowBuffer.Builder<float>(vectors.Count * dimensions);
        var validity = new ArrowBuffer.BitmapBuilder(vectors.Count);
        var nulls = 0;
        Span<float> zeros = dimensions <= 4096 ? stackalloc float[dimensions] : new float[dimensions];
        zeros.Clear();
        foreach (var vector in vectors)
        {
            if (vector is not { } v)
            {
                validity.Append(false);
                nulls++;
                values.Append(zeros);
                continue;
            }

            if (v.Length != dimensions)
            {
                throw new ArgumentException(
                    $"Vector property '{column}' has {v.Length} dimensions where the collection declares {dimensions}.", nameof(vectors));
            }

            validity.Append(true);
            values.Append(v.Span);
        }

        var floats = new FloatArray(values.Build(), ArrowBuffer.Empty, vectors.Count * dimensions, 0, 0);
        return new FixedSizeListArray(VectorType(dimensions), vectors.Count, floats, nulls == 0 ? ArrowBuffer.Empty : validity.Build(), nulls);
    }

    /// <summary>The float vector held by a vector property's value, or null.</summary>
    internal static ReadOnlyMemory<float>? VectorOf(object? value) => value switch
    {
        null => null,
        ReadOnlyMemory<float> m => m,
        float[] a => a,
        Embedding<float> e => e.Vector,
        _ => throw new NotSupportedException($"A vector of type '{value.GetType().Name}' cannot be stored; supported: ReadOnlyMemory<float>, Embedding<float>, float[]."),
    };

    /// <summary>Reads row <paramref name="index"/> of a vector column as <paramref name="type"/>.</summary>
    internal static object? ReadVector(IArrowArray array, int index, Type type)
    {
        if (array.IsNull(index))
        {
            return null;
        }

        var list = (FixedSizeListArray)array;
        var dims = ((FixedSizeListType)list.Data.DataType).ListSize;
        var floats = (FloatArray)list.Values;
        var copy = floats.Values.Slice((list.Offset + index) * dims, dims).ToArray();
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        return plain == typeof(float[]) ? copy
            : plain == typeof(Embedding<float>) ? new Embedding<float>(copy)
            : new ReadOnlyMemory<float>(copy);
    }

    /// <summary>Reads row <paramref name="index"/> of a data or key column as <paramref name="type"/>.</summary>
    internal static object? Read(IArrowArray array, int index, Type type)
    {
        if (array.IsNull(index))
        {
            return null;
        }

        var plain = Nullable.GetUnderlyingType(type) ?? type;
        if (ListItemType(plain) is { } item)
        {
            var list = (ListArray)array;
            var items = list.GetSlicedValues(index);
            var result = System.Array.CreateInstance(item, items.Length);
            for (var i = 0; i < items.Length; i++)
            {
                result.SetValue(Read(items, i, item), i);
            }

            if (plain.IsArray)
            {
                return result;
            }

            var typed = (System.Collections.IList)Activator.CreateInstance(plain, items.Length)!;
            foreach (var element in result)
            {
                typed.Add(element);
            }

            return typed;
        }

        object? raw = array switch
        {
            BooleanArray a => a.GetValue(index),
            Int16Array a => a.GetValue(index),
            Int32Array a => a.GetValue(index),
            Int64Array a => a.GetValue(index),
            FloatArray a => a.GetValue(index),
            DoubleArray a => a.GetValue(index),
            StringArray a => a.GetString(index),
            TimestampArray a => a.GetTimestamp(index),
            Date32Array a => a.GetDateOnly(index),
            BinaryArray a => a.GetBytes(index).ToArray(),
            _ => throw new NotSupportedException($"An Arrow column of type '{array.Data.DataType.Name}' cannot be read as '{type.Name}'."),
        };

        return raw switch
        {
            string s when plain == typeof(Guid) => Guid.Parse(s),
            DateTimeOffset o when plain == typeof(DateTime) => o.UtcDateTime,
            _ when raw is not null && raw.GetType() != plain && raw is IConvertible => Convert.ChangeType(raw, plain, System.Globalization.CultureInfo.InvariantCulture),
            _ => raw,
        };
    }
}
