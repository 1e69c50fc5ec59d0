using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Orm;
using Xunit.Abstractions;

namespace Lance.Interop.Tests.FilterFuzz;

/// <summary>
/// The random search harness: seeded exact vector searches through the ORM's query builder, each also run by LanceDB on
/// the same table, must return the same rows at the same distances. A table is <see cref="FilterFuzzTable"/>'s rows with
/// a vector column of a drawn width and type (float32; float64 or float16 one time in five each) (values on a small grid, so distances tie, or spread; null rows, rows with a
/// NaN, zero vectors), written as three fragments with deleted rows (every other table with scalar indexes of ours on a few
/// columns and a fragment appended after them, so prefilters go through the indexes on both sides); a search draws the metric, the limit, an offset, a
/// random SQL filter (prefiltered or postfiltered) and a distance range. Rows of equal distance may come back in either
/// order, and where such a tie crosses the page's edge either of the tied rows may be the one returned; everything else
/// must be the same. Each seed also sends a few searches of 2–4 query vectors at once (the shared pass over the vectors
/// that computes distances from dot products), each query judged against LanceDB's search with that vector alone. Fixed seeds run in CI; <c>LANCE_SEARCH_FUZZ_SECONDS</c> keeps drawing seeds from
/// <c>LANCE_SEARCH_FUZZ_SEED</c> upwards for that long.
/// </summary>
public sealed class RandomSearchConformanceTests(ITestOutputHelper output)
{
    private const int Rows = 240;
    private const int SearchesPerSeed = 40;
    private const int BatchesPerSeed = 6;

    [Fact]
    public Task Random_exact_searches_answer_as_LanceDB_does() => RunAsync([1, 2, 3]);

    private async Task RunAsync(int[] fixedSeeds)
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("LANCE_SEARCH_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 0;
        var start = int.TryParse(Environment.GetEnvironmentVariable("LANCE_SEARCH_FUZZ_SEED"), CultureInfo.InvariantCulture, out var f) ? f : Environment.TickCount & 0xFFFF;
        var clock = Stopwatch.StartNew();
        var mismatches = new List<string>();
        var known = new List<string>();
        var (compared, peerErrors, seeds) = (0, 0, 0);
        foreach (var seed in seconds > 0 ? Enumerable.Range(start, int.MaxValue - start) : fixedSeeds)
        {
            if (seconds > 0 && clock.Elapsed.TotalSeconds > seconds)
            {
                break;
            }

            var verdict = await JudgeSeedAsync(seed);
            (compared, peerErrors, seeds) = (compared + verdict.Compared, peerErrors + verdict.PeerErrors, seeds + 1);
            mismatches.AddRange(verdict.Mismatches.Select(x => $"seed {seed}: {x}"));
            known.AddRange(verdict.Known.Select(x => $"seed {seed}: {x}"));
            output.WriteLine($"seed {seed} ({verdict.Table}): {verdict.Compared} searches, {verdict.PeerErrors} refused by LanceDB, {verdict.Known.Count} known filter differences or float ties, {verdict.Mismatches.Count} failures");
        }

        output.WriteLine($"{seeds} seeds, {compared} searches compared, {peerErrors} refused by LanceDB, {known.Count} known filter differences or float ties, {mismatches.Count} failures");
        foreach (var line in known.Take(60))
        {
            output.WriteLine("known: " + line);
        }

        foreach (var line in mismatches.Take(40))
        {
            output.WriteLine(line);
        }

        Assert.True(compared > seeds * SearchesPerSeed / 2, $"only {compared} searches compared");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} searches differ from LanceDB:\n{string.Join('\n', mismatches.Take(20))}");
    }

    private static async Task<Verdict> JudgeSeedAsync(int seed)
    {
        var random = new Random(seed);
        var dimension = new[] { 1, 2, 3, 8, 16, 33 }[random.Next(6)];
        var grid = random.Next(2) == 0;
        var batch = WithVectors(FilterFuzzTable.Batch(seed, Rows), random, dimension, grid);
        using var ours = TempCopy.Empty();
        var path = Path.Combine(ours.Path, "fuzz.lance");
        var third = Rows / 3;
        var dataset = await LanceDataset.CreateAsync(path, batch.Schema, [batch.Slice(0, third)]);
        await dataset.AppendAsync([batch.Slice(third, third)]);
        await dataset.AppendAsync([batch.Slice(2 * third, Rows - (2 * third))]);
        await dataset.DeleteAsync($"id % {random.Next(5, 13)} = {random.Next(0, 5)}");

        // Every other table: scalar indexes of ours on a few columns, which both our prefilters and LanceDB's then read.
        var indexed = new List<string>();
        if (random.Next(2) == 0)
        {
            foreach (var field in batch.Schema.FieldsList.Where(x => x.Name != "vec").OrderBy(_ => random.Next()).Take(6))
            {
                var kind = field.DataType is ListType ? ScalarIndexKind.LabelList : random.Next(2) == 0 ? ScalarIndexKind.BTree : ScalarIndexKind.Bitmap;
                try
                {
                    await dataset.CreateScalarIndexAsync(field.Name, kind);
                    indexed.Add($"{field.Name}:{kind}");
                }
                catch (LanceIndexException)
                {
                    // A kind LanceDB would not build on this type either.
                }
            }

            await dataset.AppendAsync([batch.Slice(0, 10)]); // rows no index covers
        }

        var searches = Enumerable.Range(0, SearchesPerSeed).Select(_ => Draw(random, dimension, grid, seed)).ToList();

        // Searches of several query vectors at once: mostly the shapes the shared pass takes (no postfilter, no range).
        var batches = new List<(Search Shape, int First, int Count)>();
        for (var b = 0; b < BatchesPerSeed; b++)
        {
            var shape = Draw(random, dimension, grid, seed);
            if (random.Next(4) != 0)
            {
                shape = shape with { Postfilter = false, Lower = null, Upper = null };
            }

            var count = random.Next(2, 5);
            batches.Add((shape, searches.Count, count));
            searches.AddRange(Enumerable.Range(0, count).Select(q => q == 0 ? shape : shape with { Vector = Draw(random, dimension, grid, seed).Vector }));
        }
        using var copy = TempCopy.Of(ours.Path);
        using var doc = await LanceDbPeer.Default.RunAsync("search-conformance", new
        {
            db = copy.Path,
            table = "fuzz",
            column = "vec",
            searches = searches.Select(x => x.ToPeer()),
        });

        await using var db = await LanceDb.ConnectAsync(ours.Path);
        var table = await db.OpenTableAsync("fuzz");
        var verdict = new Verdict { Table = $"{((FixedSizeListType)batch.Schema.GetFieldByName("vec").DataType).ValueDataType.Name}[{dimension}]{(grid ? " on a grid" : "")}{(indexed.Count > 0 ? " indexed " + string.Join(" ", indexed) : "")}" };
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        var answers = new List<(List<(string Id, float Distance)>? Rows, string? Error)>();
        for (var i = 0; i < SearchesPerSeed; i++)
        {
            answers.Add(await RunOursAsync(table, searches[i]));
        }

        foreach (var (shape, first, count) in batches)
        {
            answers.AddRange(await RunBatchAsync(table, shape, searches.Skip(first).Take(count).Select(x => x.Vector).ToList()));
        }

        for (var i = 0; i < searches.Count; i++)
        {
            var search = searches[i];
            var peer = results[i];
            var (mine, error) = answers[i];
            var label = i < SearchesPerSeed ? search.ToString() : $"{search} (one of {batches.First(b => i >= b.First && i < b.First + b.Count).Count} queries sent together)";
            verdict.Compared++;
            if (peer.TryGetProperty("error", out var peerError))
            {
                verdict.PeerErrors++;
                if (error is null)
                {
                    // FINDINGS.md: LanceDB's own errors (decimal intervals, optimizer casts, overflow in rows it need not evaluate).
                    (LanceDbErrors.Any(peerError.GetString()!.Contains) ? verdict.Known : verdict.Mismatches)
                        .Add($"{label}: LanceDB fails ({peerError.GetString()![..Math.Min(160, peerError.GetString()!.Length)]}) but we return {mine!.Count} rows");
                }

                continue;
            }

            var theirs = peer.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!)
                .Zip(peer.GetProperty("distances").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? float.NaN : (float)e.GetDouble()))
                .ToList();
            if (error is not null)
            {
                // FINDINGS.md's open filter kind: a run-time error of ours in rows LanceDB never evaluates.
                (error.StartsWith("Invalid filter", StringComparison.Ordinal) ? verdict.Known : verdict.Mismatches)
                    .Add($"{label}: LanceDB returns {theirs.Count} rows but we fail: {error}");
                continue;
            }

            if (Compare(theirs, mine!) is { } difference)
            {
                (await TiedAtAnEdgeAsync(table, search) ? verdict.Known : verdict.Mismatches).Add($"{label}: {difference}");
            }
        }

        return verdict;
    }

    // The kinds of LanceDB error FINDINGS.md lists where we answer.
    private static readonly string[] LanceDbErrors =
        ["intersectable", "comparable", "Overflowing on", "overflow on abs", "Overflow happened", "Divide by zero", "Cannot cast", "Cast error", "Error optimizing sql filter", "Internal error: Assertion failed"];

    /// <summary>
    /// Whether a search's answer may differ from LanceDB's by float rounding alone: its distances are computed in another
    /// order of additions, so rows LanceDB and we find equally near can fall either side of a distance range's bound, or of
    /// the nearest-rows cut a postfilter is applied to. True when, in our unfiltered ranking, a distance lies at a bound
    /// (within rounding) or the rows either side of that cut are tied.
    /// </summary>
    private static async Task<bool> TiedAtAnEdgeAsync(Lance.Orm.Table table, Search search)
    {
        var wanted = search.K + search.Offset;
        var ranking = new List<float>();
        await foreach (var batch in table.Search(search.Vector).Column("vec").DistanceType(search.Metric).BypassVectorIndex()
            .Limit(Math.Max(wanted + 1, 400)).Select("id").ToArrowAsync())
        {
            var distances = batch.Column("_distance");
            ranking.AddRange(Enumerable.Range(0, batch.Length).Select(r => DistanceAt(distances, r)));
        }

        bool NearBound(float d) => (search.Lower is { } lo && Near(d, lo)) || (search.Upper is { } hi && Near(d, hi));
        if (ranking.Any(NearBound))
        {
            return true;
        }

        return search.Postfilter && ranking.Count > wanted && Close(ranking[wanted - 1], ranking[wanted]);
    }

    private static float DistanceAt(IArrowArray distances, int row) => distances switch
    {
        FloatArray f => f.GetValue(row) ?? float.NaN,
        DoubleArray d => (float)(d.GetValue(row) ?? double.NaN),
        _ => throw new InvalidOperationException($"_distance is {distances.Data.DataType.Name}"),
    };

    private static bool Near(float a, float b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(b));

    private sealed class Verdict
    {
        public string Table { get; init; } = "";

        public int Compared { get; set; }

        public int PeerErrors { get; set; }

        public List<string> Known { get; } = [];

        public List<string> Mismatches { get; } = [];
    }

    private static async Task<(List<(string Id, float Distance)>? Rows, string? Error)> RunOursAsync(Lance.Orm.Table table, Search search)
    {
        try
        {
            var rows = new List<(string, float)>();
            await foreach (var result in Shaped(table.Search(search.Vector), search).Select("id").ToArrowAsync())
            {
                var ids = (Int64Array)result.Column("id");
                var distances = result.Column("_distance");
                for (var r = 0; r < result.Length; r++)
                {
                    rows.Add((ids.GetValue(r)!.Value.ToString(CultureInfo.InvariantCulture), DistanceAt(distances, r)));
                }
            }

            return (rows, null);
        }
        catch (LanceException e)
        {
            return (null, e.Message.Split('\n')[0]);
        }
    }

    /// <summary>One search of all <paramref name="vectors"/> at once, split back into one answer per vector by <c>query_index</c>.</summary>
    private static async Task<List<(List<(string Id, float Distance)>? Rows, string? Error)>> RunBatchAsync(
        Lance.Orm.Table table, Search shape, List<float[]> vectors)
    {
        var answers = vectors.Select(_ => new List<(string Id, float Distance)>()).ToList();
        try
        {
            await foreach (var result in Shaped(table.Search(vectors), shape).Select("id").ToArrowAsync())
            {
                var queryIndex = (Int32Array)result.Column(Lance.Orm.Table.QueryIndexColumn);
                var ids = (Int64Array)result.Column("id");
                var distances = result.Column("_distance");
                for (var r = 0; r < result.Length; r++)
                {
                    answers[queryIndex.GetValue(r)!.Value].Add((ids.GetValue(r)!.Value.ToString(CultureInfo.InvariantCulture), DistanceAt(distances, r)));
                }
            }

            return answers.Select(a => ((List<(string Id, float Distance)>?)a, (string?)null)).ToList();
        }
        catch (LanceException e)
        {
            return vectors.Select(_ => ((List<(string Id, float Distance)>?)null, (string?)e.Message.Split('\n')[0])).ToList();
        }
    }

    private static VectorQuery Shaped(VectorQuery query, Search search)
    {
        query = query.Column("vec").DistanceType(search.Metric).BypassVectorIndex();
        if (search.Filter is not null)
        {
            query = query.Where(search.Filter, prefilter: !search.Postfilter);
        }

        if (search.Lower is not null || search.Upper is not null)
        {
            query = query.DistanceRange(search.Lower, search.Upper);
        }

        if (search.Offset > 0)
        {
            query = query.Offset(search.Offset);
        }

        return query.Limit(search.K);
    }

    /// <summary>
    /// Null when the two answers agree: the same number of rows, the same distances in order (within float rounding), and
    /// the same rows in each run of equal distances, except a run at either end of the page, which may hold any of the
    /// rows tied there.
    /// </summary>
    private static string? Compare(List<(string Id, float Distance)> theirs, List<(string Id, float Distance)> mine)
    {
        string Show(List<(string Id, float Distance)> rows) => string.Join(", ", rows.Take(12).Select(r => $"{r.Id}@{r.Distance.ToString("G6", CultureInfo.InvariantCulture)}"));
        if (theirs.Count != mine.Count)
        {
            return $"LanceDB returns {theirs.Count} rows [{Show(theirs)}], we {mine.Count} [{Show(mine)}]";
        }

        for (var i = 0; i < theirs.Count; i++)
        {
            if (!Close(theirs[i].Distance, mine[i].Distance))
            {
                return $"distance {i} differs: LanceDB [{Show(theirs)}], we [{Show(mine)}]";
            }
        }

        var start = 0;
        while (start < theirs.Count)
        {
            var end = start + 1;
            while (end < theirs.Count && Close(theirs[end].Distance, theirs[end - 1].Distance))
            {
                end++;
            }

            var atEdge = start == 0 || end == theirs.Count;
            var a = theirs.Skip(start).Take(end - start).Select(r => r.Id).Order(StringComparer.Ordinal);
            var b = mine.Skip(start).Take(end - start).Select(r => r.Id).Order(StringComparer.Ordinal);
            if (!atEdge && !a.SequenceEqual(b))
            {
                return $"rows {start}..{end - 1} (tied) differ: LanceDB [{Show(theirs)}], we [{Show(mine)}]";
            }

            start = end;
        }

        return null;
    }

    private static bool Close(float a, float b) =>
        (float.IsNaN(a) && float.IsNaN(b)) || a == b || Math.Abs(a - b) <= 1e-4f * Math.Max(1f, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static RecordBatch WithVectors(RecordBatch batch, Random random, int dimension, bool grid)
    {
        // float32 mostly; float64 (computed in float64) and float16 one time in five each.
        var kind = random.Next(5);
        var items = new List<float>();
        var validity = new ArrowBuffer.BitmapBuilder();
        var nulls = 0;
        for (var r = 0; r < batch.Length; r++)
        {
            var roll = random.Next(40);
            validity.Append(roll != 0);
            nulls += roll == 0 ? 1 : 0;
            for (var d = 0; d < dimension; d++)
            {
                items.Add(roll switch
                {
                    0 or 1 => 0f,                                     // null row (values ignored), zero vector
                    2 when d == dimension / 2 => float.NaN,           // a NaN item
                    _ => Component(random, grid),
                });
            }
        }

        IArrowArray values = kind switch
        {
            3 => new DoubleArray.Builder().AppendRange(items.Select(x => (double)x)).Build(),
            4 => new HalfFloatArray.Builder().AppendRange(items.Select(x => (Half)x)).Build(),
            _ => new FloatArray.Builder().AppendRange(items).Build(),
        };
        var type = new FixedSizeListType(new Field("item", values.Data.DataType, true), dimension);
        var vectors = new FixedSizeListArray(new ArrayData(type, batch.Length, nulls, 0, [validity.Build()], [values.Data]));
        var schema = new Schema([.. batch.Schema.FieldsList, new Field("vec", type, true)], null);
        return new RecordBatch(schema, [.. batch.Arrays, vectors], batch.Length);
    }

    private static float Component(Random random, bool grid) => grid ? random.Next(-2, 3) : (float)((random.NextDouble() * 2) - 1);

    private static Search Draw(Random random, int dimension, bool grid, int seed)
    {
        var vector = Enumerable.Range(0, dimension).Select(_ => Component(random, grid)).ToArray();
        if (random.Next(15) == 0)
        {
            System.Array.Clear(vector); // a zero query
        }

        var metric = (DistanceMetric)random.Next(3);
        var k = random.Next(3) == 0 ? random.Next(1, 4) : random.Next(1, 40);
        var offset = random.Next(4) == 0 ? random.Next(1, 30) : 0;
        var filter = random.Next(3) == 0 ? null : RandomFilterGenerator.Filters(seed * 1000 + random.Next(1000), 1)[0];
        var postfilter = filter is not null && random.Next(3) == 0;
        float? lower = null, upper = null;
        if (random.Next(5) == 0)
        {
            var scale = metric switch { DistanceMetric.L2 => grid ? 4f * dimension : dimension / 1.5f, DistanceMetric.Cosine => 1f, _ => 1f };
            lower = random.Next(2) == 0 ? (float)(random.NextDouble() * scale) : null;
            upper = random.Next(3) != 0 ? (lower ?? 0) + (float)(random.NextDouble() * scale) : null;
        }

        return new Search(vector, metric, k, offset, filter, postfilter, lower, upper);
    }

    private sealed record Search(float[] Vector, DistanceMetric Metric, int K, int Offset, string? Filter, bool Postfilter, float? Lower, float? Upper)
    {
        public object ToPeer() => new
        {
            vector = Vector,
            metric = Metric switch { DistanceMetric.L2 => "l2", DistanceMetric.Cosine => "cosine", _ => "dot" },
            k = K,
            offset = Offset,
            filter = Filter,
            postfilter = Postfilter,
            lower = Lower,
            upper = Upper,
        };

        public override string ToString() =>
            $"{ToPeer().GetType().GetProperty("metric")!.GetValue(ToPeer())} k={K} offset={Offset} [{string.Join(",", Vector.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]"
            + (Filter is null ? "" : $" {(Postfilter ? "postfilter" : "where")} {Filter}")
            + (Lower is null && Upper is null ? "" : $" range [{Lower?.ToString(CultureInfo.InvariantCulture) ?? "-"}, {Upper?.ToString(CultureInfo.InvariantCulture) ?? "-"})");
    }
}
