using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Lance.Orm;

namespace Lance.Bench;

/// <summary>A row of the benchmark table: vectors given by the benchmark (no embedding function).</summary>
public partial record BenchRow : ILanceModel
{
    public long Id { get; init; }
    public string Text { get; init; } = "";
    [Vector(384)] public float[]? Vector { get; init; }
}

/// <summary>Deterministic benchmark data: the same rows for us and for LanceDB.</summary>
public static class BenchData
{
    public const int Dimension = 384;

    public static BenchRow[] Rows(int count, int seed = 12345)
    {
        var random = new Random(seed);
        var rows = new BenchRow[count];
        for (var i = 0; i < count; i++)
        {
            var vector = new float[Dimension];
            for (var d = 0; d < Dimension; d++)
            {
                vector[d] = (float)((random.NextDouble() * 2) - 1);
            }

            rows[i] = new BenchRow { Id = i, Text = $"row {i} of the benchmark table", Vector = vector };
        }

        return rows;
    }

    public static float[][] Queries(int count, int seed = 777)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray())
            .ToArray();
    }

    public static async Task WriteIpcAsync(string path, RecordBatch batch)
    {
        await using var stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, batch.Schema);
        await writer.WriteRecordBatchAsync(batch);
        await writer.WriteEndAsync();
    }

    public static RecordBatch QueryBatch(float[][] queries)
    {
        var builder = new FixedSizeListArray.Builder(FloatType.Default, Dimension);
        var values = (FloatArray.Builder)builder.ValueBuilder;
        foreach (var query in queries)
        {
            builder.Append();
            values.AppendRange(query);
        }

        var schema = new Schema([new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), Dimension), true)], null);
        return new RecordBatch(schema, [builder.Build()], queries.Length);
    }
}
