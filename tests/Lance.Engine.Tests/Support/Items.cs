using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;

namespace Lance.Engine.Tests.Support;

/// <summary>A small table for operation tests: id (int64), name (nullable utf8), value (nullable int32), vector (float[2]).</summary>
public static class Items
{
    public static readonly Schema Schema = new(
        [
            new Field("id", Int64Type.Default, nullable: false),
            new Field("name", StringType.Default, nullable: true),
            new Field("value", Int32Type.Default, nullable: true),
            new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), 2), nullable: false),
        ],
        null);

    public sealed record Row(long Id, string? Name, int? Value);

    public static RecordBatch Batch(IEnumerable<Row> rows)
    {
        var list = rows.ToList();
        var ids = new Int64Array.Builder();
        var names = new StringArray.Builder();
        var values = new Int32Array.Builder();
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, 2);
        var items = (FloatArray.Builder)vectors.ValueBuilder;
        foreach (var row in list)
        {
            ids.Append(row.Id);
            if (row.Name is null) names.AppendNull(); else names.Append(row.Name);
            if (row.Value is null) values.AppendNull(); else values.Append(row.Value.Value);
            vectors.Append();
            items.Append(row.Id);
            items.Append(-row.Id);
        }

        return new RecordBatch(Schema, [ids.Build(), names.Build(), values.Build(), vectors.Build()], list.Count);
    }

    public static RecordBatch Range(long start, int count) =>
        Batch(Enumerable.Range(0, count).Select(i => new Row(start + i, (start + i) % 4 == 0 ? null : $"n{start + i}", (int)((start + i) % 10))));

    public static async Task<List<Row>> ReadAsync(LanceDataset dataset)
    {
        var rows = new List<Row>();
        await foreach (var batch in dataset.ScanAsync())
        {
            rows.AddRange(ToRows(batch));
        }

        return rows.OrderBy(r => r.Id).ToList();
    }

    public static IEnumerable<Row> ToRows(RecordBatch batch)
    {
        var ids = (Int64Array)batch.Column("id");
        var names = (StringArray)batch.Column("name");
        var values = (Int32Array)batch.Column("value");
        var vectors = (FixedSizeListArray)batch.Column("vector");
        var items = (FloatArray)vectors.Values;
        for (var i = 0; i < batch.Length; i++)
        {
            var id = ids.GetValue(i)!.Value;
            // The vector is derived from the id: a row whose columns got out of step shows here.
            if (items.GetValue((vectors.Offset + i) * 2) != id || items.GetValue((vectors.Offset + i) * 2 + 1) != -id)
            {
                throw new InvalidOperationException($"Row {id} has the vector of another row.");
            }

            yield return new Row(id, names.GetString(i), values.GetValue(i));
        }
    }

    /// <summary>A predicate on the id column.</summary>
    internal static IRowPredicate Where(Func<long, bool> predicate) => new LambdaPredicate(["id"], batch =>
    {
        var ids = (Int64Array)batch.Column("id");
        var result = new bool[batch.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = predicate(ids.GetValue(i)!.Value);
        }

        return result;
    });
}
