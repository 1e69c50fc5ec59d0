using Apache.Arrow;
using Lance.Engine;
using static Lance.Engine.Tests.Support.ScannedIds;

namespace Lance.Interop.Tests;

/// <summary>Filters and prefiltered searches on a table whose BTREE and BITMAP indexes LanceDB built: answered from the indexes, exactly as a scan answers them.</summary>
public sealed class ScalarIndexFromLanceDbTests(ScalarIndexTable table) : IClassFixture<ScalarIndexTable>
{
    private static readonly string[] FixedFilters =
    [
        "age = 5", "age < 0", "age <= 10", "age > 80", "age >= 89", "age BETWEEN 10 AND 20", "age IN (1, 2, 3)",
        "age IS NULL", "age IS NOT NULL", "age <> 7", "name = 'n3'", "name IN ('n1', 'n5')", "name IS NULL", "name < 'n2'",
        "flag", "flag = false", "flag IS NULL", "score > 100.25", "score <= -500", "day >= date '2024-02-01'", "day = date '2024-01-15'",
        "ts < timestamp '2024-01-10 00:00:00'", "id < 100", "id >= 3400", "age > 50 AND name = 'n3'", "age < 20 OR flag",
        "NOT (age < 20)", "NOT (name = 'n1') AND score > 0", "(age > 30 OR score < 0) AND tags IS NULL", "id % 7 = 1 AND age < 5",
        "array_has_any(tags, ['t1', 't3'])", "array_has_all(tags, ['t2', 't5'])", "array_has_any(tags, ['t4']) AND age > 40",
        "NOT array_has_any(tags, ['t1'])", "array_has_all(tags, ['t0']) OR name = 'n2'",
        "(age NOT IN (1, 2)) OR (age NOT IN (3))", "(age NOT IN (1, 2)) OR (age NOT IN (2, 3))", "NOT ((age IN (1, 2)) AND (age IN (3)))",
        "(name NOT IN ('n1')) OR (name NOT IN ('n2'))", "(age IN (1, 2, 3)) AND (age NOT IN (3, NULL))", "((age = 1) OR (age = 2)) AND (age NOT IN (1, 2))",
    ];

    [Fact]
    public async Task Btree_bitmap_and_label_list_indexes_are_used_and_no_longer_listed_as_ignored()
    {
        await using var dataset = await LanceDataset.OpenAsync(table.Dataset);

        Assert.Empty(dataset.IgnoredIndices);
        Assert.Equal(["age", "day", "flag", "id", "name", "score", "tags", "ts"], dataset.ListScalarIndices().Select(i => i.Column).Order());
        Assert.True(dataset.PlanFilter("array_has_any(tags, ['t1'])").Root.UsesIndex);
        Assert.False(dataset.PlanFilter("tags IS NULL").Root.UsesIndex);
        foreach (var column in new[] { "id", "age", "name", "flag", "score", "day", "ts" })
        {
            var plan = dataset.PlanFilter($"{column} IS NULL");
            Assert.True(plan.Root.UsesIndex, $"{column}: {plan.Root.Describe()}");
        }

        Assert.Equal("AND([(age > 50)]@age_idx(BTree),[(name = 'n3')]@name_idx(Bitmap))", dataset.PlanFilter("age > 50 AND name = 'n3'").Root.Describe());

        // Two lists on one column merge into one before the index is asked (as LanceDB simplifies them).
        Assert.Equal("[((age NOT IN (1, 2)) OR (age NOT IN (2, 3)))]@age_idx(BTree)", dataset.PlanFilter("(age NOT IN (1, 2)) OR (age NOT IN (2, 3))").Root.Describe());
    }

    [Fact]
    public async Task Fixed_filters_give_the_rows_of_a_scan_and_of_LanceDB()
    {
        await using var dataset = await LanceDataset.OpenAsync(table.Dataset);
        using var peer = await LanceDbPeer.Default.RunAsync("scalar-index", new { op = "query", db = table.Db, table = "t", filters = FixedFilters });
        var theirs = peer.RootElement.GetProperty("results").EnumerateArray().ToList();

        for (var f = 0; f < FixedFilters.Length; f++)
        {
            var filter = FixedFilters[f];
            var indexed = await IdsAsync(dataset, filter, useIndex: true);
            var scanned = await IdsAsync(dataset, filter, useIndex: false);
            Assert.True(scanned.SequenceEqual(indexed), $"{filter}: {indexed.Length} rows from the indexes, {scanned.Length} from a scan");
            Assert.False(theirs[f].TryGetProperty("error", out var error), $"LanceDB failed on {filter}: {error}");
            var lance = theirs[f].GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.True(lance.SequenceEqual(indexed), $"{filter}: {indexed.Length} rows here, {lance.Length} in LanceDB");
        }
    }

    [Fact]
    public async Task Random_filters_give_the_same_rows_with_and_without_the_indexes()
    {
        await using var dataset = await LanceDataset.OpenAsync(table.Dataset);
        var random = new Random(17);
        var used = 0;
        for (var n = 0; n < 300; n++)
        {
            var filter = RandomFilter(random, 3);
            used += dataset.PlanFilter(filter).Root.UsesIndex ? 1 : 0;
            var indexed = await IdsAsync(dataset, filter, useIndex: true);
            var scanned = await IdsAsync(dataset, filter, useIndex: false);
            Assert.True(scanned.SequenceEqual(indexed), $"{filter}: {indexed.Length} rows from the indexes, {scanned.Length} from a scan");
        }

        Assert.True(used > 250, $"only {used} of 300 filters used an index");
    }

    [Fact]
    public async Task Prefiltered_vector_search_uses_the_index_and_finds_what_LanceDB_finds()
    {
        await using var dataset = await LanceDataset.OpenAsync(table.Dataset);
        float[] query = [0.5f, 0.25f, 0.75f, 0.1f];
        const string filter = "age BETWEEN 10 AND 14 AND name IN ('n2', 'n7')";

        async Task<long[]> SearchAsync(bool useIndex)
        {
            var batch = await dataset.SearchAsync(new VectorSearchRequest("vec", query, 10) { Columns = ["id"], Filter = filter, UseScalarIndex = useIndex });
            var ids = (Int64Array)batch.Column(batch.Schema.GetFieldIndex("id"));
            return Enumerable.Range(0, ids.Length).Select(i => ids.GetValue(i)!.Value).ToArray();
        }

        var indexed = await SearchAsync(useIndex: true);
        var scanned = await SearchAsync(useIndex: false);
        using var peer = await LanceDbPeer.Default.RunAsync("scalar-index", new { op = "search", db = table.Db, table = "t", vector = query, k = 10, filter });

        Assert.True(dataset.PlanFilter(filter).Root.UsesIndex);
        Assert.Equal(scanned, indexed);
        Assert.Equal(peer.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()), indexed);
        Assert.Contains("ScalarIndexQuery", peer.RootElement.GetProperty("plan").GetString(), StringComparison.Ordinal);
    }

    private static string RandomFilter(Random random, int depth)
    {
        if (depth > 0 && random.NextDouble() < 0.55)
        {
            return random.Next(5) switch
            {
                0 => $"NOT ({RandomFilter(random, depth - 1)})",
                1 or 2 => $"({RandomFilter(random, depth - 1)}) AND ({RandomFilter(random, depth - 1)})",
                _ => $"({RandomFilter(random, depth - 1)}) OR ({RandomFilter(random, depth - 1)})",
            };
        }

        string[] ops = ["=", "<", "<=", ">", ">=", "<>"];
        var op = ops[random.Next(ops.Length)];
        var age = random.Next(-15, 95);
        return random.Next(16) switch
        {
            0 => $"age {op} {age}",
            1 => $"age BETWEEN {age} AND {age + random.Next(30)}",
            2 => $"age IN ({age}, {random.Next(-15, 95)}{(random.Next(4) == 0 ? ", NULL" : "")})",
            3 => random.Next(2) == 0 ? "age IS NULL" : "age IS NOT NULL",
            4 => $"name {op} 'n{random.Next(13)}'",
            5 => $"name IN ('n{random.Next(13)}', 'n{random.Next(13)}')",
            6 => random.Next(3) switch { 0 => "flag", 1 => "flag IS NULL", _ => $"flag = {(random.Next(2) == 0 ? "true" : "false")}" },
            7 => $"score {op} {(random.Next(-4000, 4000) / 4.0).ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            8 => $"day {op} date '2024-{1 + random.Next(3):00}-{1 + random.Next(28):00}'",
            9 => $"ts {op} timestamp '2024-01-{1 + random.Next(28):00} {random.Next(24):00}:00:00'",
            10 => $"id {op} {random.Next(3600)}",
            11 => $"id % {2 + random.Next(9)} = {random.Next(2)}",
            12 => random.Next(3) switch
            {
                0 => "tags IS NULL",
                1 => $"array_has_any(tags, ['t{random.Next(9)}', 't{random.Next(9)}'])",
                _ => $"array_has_all(tags, ['t{random.Next(9)}', 't{random.Next(9)}'])",
            },
            13 => $"name LIKE 'n{random.Next(3)}%'",
            14 => random.Next(2) == 0 ? "score IS NULL" : "day IS NOT NULL",
            _ => $"age + 1 {op} {age}",
        };
    }
}
