using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// What the round-trip tests over LanceDB-made tables share: the vectors <c>foreign-ops.mjs</c> makes
/// (the same generator, so our rows look like LanceDB's), our own (id, text, vector) rows, and the
/// check that our exact search finds LanceDB's nearest rows at its distances.
/// </summary>
internal static class ForeignRows
{
    /// <summary>The vector of row <paramref name="seed"/>, as foreign-ops.mjs makes it.</summary>
    public static float[] Vector(int seed, int dimension)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, dimension).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
    }

    /// <summary>Rows <paramref name="start"/>.. of (id int64, text utf8 nullable, vector float32[dimension]).</summary>
    public static RecordBatch Rows(int start, int count, int dimension, Func<int, string?> text)
    {
        var ids = new Int64Array.Builder();
        var texts = new StringArray.Builder();
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, dimension);
        var items = (FloatArray.Builder)vectors.ValueBuilder;
        for (int i = 0; i < count; i++)
        {
            int id = start + i;
            ids.Append(id);
            if (text(id) is { } value)
            {
                texts.Append(value);
            }
            else
            {
                texts.AppendNull();
            }

            vectors.Append();
            items.AppendRange(Vector(id, dimension));
        }

        var schema = new Schema(
            [
                new Field("id", Int64Type.Default, nullable: false),
                new Field("text", StringType.Default, nullable: true),
                new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), dimension), nullable: true),
            ],
            null);
        return new RecordBatch(schema, [ids.Build(), texts.Build(), vectors.Build()], count);
    }

    /// <summary>
    /// Our exact top 10 for <paramref name="query"/> equals LanceDB's (ids in order, distances to
    /// <paramref name="precision"/> decimals); with <paramref name="requireFull"/>, both must find 10.
    /// </summary>
    public static async Task AssertSameNearestAsync(
        LanceDbPeer peer, string db, string table, LanceDataset dataset, float[] query, string when, int precision, bool requireFull = false)
    {
        using var doc = await peer.RunAsync("search", new { db, table, vector = query, k = 10, metric = "l2", columns = new[] { "id" }, exact = true });
        var theirs = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => (Id: long.Parse(r.GetProperty("id").GetString()!, CultureInfo.InvariantCulture), Distance: r.GetProperty("_distance").GetDouble())).ToList();
        var result = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Columns = ["id"], BypassIndex = true });
        var ids = (Int64Array)result.Column("id");
        var distances = (FloatArray)result.Column(LanceDataset.DistanceColumn);

        Assert.True(requireFull ? theirs.Count == 10 && result.Length == 10 : theirs.Count == result.Length, $"{when}: LanceDB found {theirs.Count}, we {result.Length}");
        for (int i = 0; i < theirs.Count; i++)
        {
            Assert.True(theirs[i].Id == ids.GetValue(i), $"{when}: neighbour {i} is {theirs[i].Id} for LanceDB, {ids.GetValue(i)} for us");
            Assert.Equal(theirs[i].Distance, distances.GetValue(i)!.Value, precision);
        }
    }
}
