using System.Reflection;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>The serializer benchmark's 6-column row with a 384-d vector.</summary>
public partial record VectorRow : ILanceModel
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public double Score { get; init; }
    public int Count { get; init; }
    public bool Flag { get; init; }
    [Vector(SerializerData.Dimension)] public float[] Vector { get; init; } = [];
}

/// <summary>The same row without its vector (5 scalar columns).</summary>
public partial record ScalarRow : ILanceModel
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public double Score { get; init; }
    public int Count { get; init; }
    public bool Flag { get; init; }
}

/// <summary>Rows made with the formulas of tools/lancedb-peer/bench-add.mjs, so both sides add the same data.</summary>
public static class SerializerData
{
    public const int Dimension = 384;

    public static ScalarRow[] Scalars(int count)
    {
        var rows = new ScalarRow[count];
        for (var i = 0; i < count; i++)
        {
            rows[i] = new ScalarRow { Id = i, Name = "row-" + i, Score = i * 0.5, Count = i % 1000, Flag = i % 2 == 0 };
        }

        return rows;
    }

    public static VectorRow[] Vectors(int count)
    {
        var rows = new VectorRow[count];
        for (var i = 0; i < count; i++)
        {
            var vector = new float[Dimension];
            for (var d = 0; d < Dimension; d++)
            {
                vector[d] = ((i * 31 + d * 17) % 1000) / 1000f;
            }

            rows[i] = new VectorRow { Id = i, Name = "row-" + i, Score = i * 0.5, Count = i % 1000, Flag = i % 2 == 0, Vector = vector };
        }

        return rows;
    }
}

/// <summary>
/// The comparison point: what a serializer without a generator does. Properties are found and read
/// by reflection (values boxed), appended through Apache.Arrow's builders; rows are read back with
/// Activator and PropertyInfo.SetValue.
/// </summary>
public static class ReflectionSerializer
{
    public static RecordBatch Write<T>(IReadOnlyList<T> rows, int dimension)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
        var fields = new List<Field>();
        var arrays = new List<IArrowArray>();
        foreach (var property in properties)
        {
            var name = property.Name.ToLowerInvariant();
            var type = property.PropertyType;
            if (type == typeof(long))
            {
                var b = new Int64Array.Builder();
                foreach (var row in rows) b.Append((long)property.GetValue(row)!);
                fields.Add(new Field(name, Int64Type.Default, false));
                arrays.Add(b.Build());
            }
            else if (type == typeof(int))
            {
                var b = new Int32Array.Builder();
                foreach (var row in rows) b.Append((int)property.GetValue(row)!);
                fields.Add(new Field(name, Int32Type.Default, false));
                arrays.Add(b.Build());
            }
            else if (type == typeof(double))
            {
                var b = new DoubleArray.Builder();
                foreach (var row in rows) b.Append((double)property.GetValue(row)!);
                fields.Add(new Field(name, DoubleType.Default, false));
                arrays.Add(b.Build());
            }
            else if (type == typeof(bool))
            {
                var b = new BooleanArray.Builder();
                foreach (var row in rows) b.Append((bool)property.GetValue(row)!);
                fields.Add(new Field(name, BooleanType.Default, false));
                arrays.Add(b.Build());
            }
            else if (type == typeof(string))
            {
                var b = new StringArray.Builder();
                foreach (var row in rows) b.Append((string?)property.GetValue(row));
                fields.Add(new Field(name, StringType.Default, true));
                arrays.Add(b.Build());
            }
            else if (type == typeof(float[]))
            {
                var b = new FixedSizeListArray.Builder(FloatType.Default, dimension);
                var values = (FloatArray.Builder)b.ValueBuilder;
                foreach (var row in rows)
                {
                    b.Append();
                    values.Append(((float[])property.GetValue(row)!).AsSpan());
                }

                fields.Add(new Field(name, new FixedSizeListType(new Field("item", FloatType.Default, true), dimension), true));
                arrays.Add(b.Build());
            }
        }

        return new RecordBatch(new Schema(fields, null), arrays, rows.Count);
    }

    public static List<T> Read<T>(RecordBatch batch)
        where T : new()
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
        var rows = new List<T>(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            object row = new T();
            foreach (var property in properties)
            {
                var column = batch.Column(property.Name.ToLowerInvariant());
                object? value = column switch
                {
                    Int64Array a => a.GetValue(i),
                    Int32Array a => a.GetValue(i),
                    DoubleArray a => a.GetValue(i),
                    BooleanArray a => a.GetValue(i),
                    StringArray a => a.GetString(i),
                    FixedSizeListArray a => ((FloatArray)a.Values).Values.Slice(i * ((FixedSizeListType)a.Data.DataType).ListSize, ((FixedSizeListType)a.Data.DataType).ListSize).ToArray(),
                    _ => null,
                };
                property.SetValue(row, value);
            }

            rows.Add((T)row);
        }

        return rows;
    }
}
