using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Tests.Reranking;

/// <summary>Builds search-result batches (name, distance or score, row id) as the engine returns them, and reads them back.</summary>
internal static class ResultBatches
{
    public static RecordBatch Vector(params (ulong Id, float Distance)[] rows) => Build("_distance", rows);

    public static RecordBatch FullText(params (ulong Id, float Score)[] rows) => Build("_score", rows);

    public static ulong[] Ids(RecordBatch batch) => RerankResults.RowIds(batch);

    public static float[] Relevance(RecordBatch batch) => RerankResults.Relevance(batch).Values.ToArray();

    public static float?[] Floats(RecordBatch batch, string column)
    {
        var values = (FloatArray)batch.Column(column);
        return Enumerable.Range(0, batch.Length).Select(i => values.GetValue(i)).ToArray();
    }

    public static string[] Names(RecordBatch batch)
    {
        var values = (StringArray)batch.Column("name");
        return Enumerable.Range(0, batch.Length).Select(i => values.GetString(i) ?? "<null>").ToArray();
    }

    private static RecordBatch Build(string scoreColumn, (ulong Id, float Value)[] rows)
    {
        var names = new StringArray.Builder();
        var values = new FloatArray.Builder();
        var ids = new UInt64Array.Builder();
        foreach (var (id, value) in rows)
        {
            names.Append($"row {id}");
            values.Append(value);
            ids.Append(id);
        }

        var schema = new Schema(
        [
            new Field("name", StringType.Default, nullable: true),
            new Field(scoreColumn, FloatType.Default, nullable: true),
            new Field("_rowid", UInt64Type.Default, nullable: true),
        ], null);
        return new RecordBatch(schema, [names.Build(), values.Build(), ids.Build()], rows.Length);
    }
}
