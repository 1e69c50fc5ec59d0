using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Tests.Support;

/// <summary>Small builders for the test tables: id, text (nullable), score, vector (nullable).</summary>
public static class Batches
{
    public static Schema DocSchema(int dimension, bool nullableVector = true) => new(
        [
            new Field("id", Int64Type.Default, nullable: false),
            new Field("text", StringType.Default, nullable: true),
            new Field("score", DoubleType.Default, nullable: true),
            new Field("flag", BooleanType.Default, nullable: false),
            new Field("count", Int32Type.Default, nullable: true),
            new Field("weight", FloatType.Default, nullable: false),
            new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), dimension), nullableVector),
        ],
        new Dictionary<string, string> { ["owner"] = "tests" });

    /// <summary>Rows start..start+count; every 7th text, 5th score, 3rd count and 11th vector are null.</summary>
    public static RecordBatch Docs(int start, int count, int dimension, int seed = 1, bool withNulls = true)
    {
        var random = new Random(seed + start);
        var ids = new Int64Array.Builder();
        var texts = new StringArray.Builder();
        var scores = new DoubleArray.Builder();
        var flags = new BooleanArray.Builder();
        var counts = new Int32Array.Builder();
        var weights = new FloatArray.Builder();
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, dimension);
        var values = (FloatArray.Builder)vectors.ValueBuilder;
        for (var i = start; i < start + count; i++)
        {
            ids.Append(i);
            if (withNulls && i % 7 == 0) texts.AppendNull(); else texts.Append($"text {i} ✓ {new string('x', i % 13)}");
            if (withNulls && i % 5 == 0) scores.AppendNull(); else scores.Append(i * 0.5);
            flags.Append(i % 2 == 0);
            if (withNulls && i % 3 == 0) counts.AppendNull(); else counts.Append(-i);
            weights.Append(i / 4f);
            if (withNulls && i % 11 == 0)
            {
                vectors.AppendNull(); // appends the child slots itself
            }
            else
            {
                vectors.Append();
                for (var d = 0; d < dimension; d++) values.Append((float)(random.NextDouble() * 2 - 1));
            }
        }

        var columns = new IArrowArray[] { ids.Build(), texts.Build(), scores.Build(), flags.Build(), counts.Build(), weights.Build(), vectors.Build() };
        return new RecordBatch(DocSchema(dimension), columns, count);
    }

    public static async Task<List<RecordBatch>> ReadAll(LanceDataset dataset, IReadOnlyList<string>? columns = null)
    {
        var result = new List<RecordBatch>();
        await foreach (var batch in dataset.ScanAsync(columns))
        {
            result.Add(batch);
        }

        return result;
    }

    /// <summary>Every value of every row as plain objects, for equality checks.</summary>
    public static List<object?[]> Rows(IEnumerable<RecordBatch> batches)
    {
        var rows = new List<object?[]>();
        foreach (var batch in batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                var row = new object?[batch.ColumnCount];
                for (var c = 0; c < batch.ColumnCount; c++)
                {
                    row[c] = Value(batch.Column(c), r);
                }

                rows.Add(row);
            }
        }

        return rows;
    }

    public static object? Value(IArrowArray array, int row)
    {
        if (array.IsNull(row)) return null;
        return array switch
        {
            Int64Array a => a.GetValue(row),
            Int32Array a => a.GetValue(row),
            DoubleArray a => a.GetValue(row),
            FloatArray a => a.GetValue(row),
            BooleanArray a => a.GetValue(row),
            StringArray a => a.GetString(row),
            FixedSizeListArray a => string.Join(",", ((FloatArray)a.Values).Values.Slice((a.Offset + row) * ((FixedSizeListType)a.Data.DataType).ListSize, ((FixedSizeListType)a.Data.DataType).ListSize).ToArray()),
            _ => throw new NotSupportedException(array.GetType().Name),
        };
    }
}
