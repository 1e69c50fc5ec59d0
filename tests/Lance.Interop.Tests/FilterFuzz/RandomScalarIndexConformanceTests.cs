using System.Diagnostics;
using System.Globalization;
using Apache.Arrow;
using Lance.Engine;
using Lance.Orm;
using Xunit.Abstractions;
using static Lance.Engine.Tests.Support.ScannedIds;

namespace Lance.Interop.Tests.FilterFuzz;

/// <summary>
/// The random scalar index harness: on <see cref="FilterFuzzTable"/>'s rows (every column type, nulls, NaN, extremes),
/// written as three fragments with rows deleted, a drawn index (BTREE or BITMAP; LABEL_LIST on lists) on every column
/// that takes one, and then a fragment appended that no index covers, each of <see cref="RandomFilterGenerator"/>'s
/// filters must select the same rows through the indexes as by a scan (which the random filter harness judges against
/// LanceDB), or fail the same way. The second test has LanceDB build the indexes instead (a drawn kind it takes on each
/// column), so that its index files, read here, answer as the scan does. Fixed seeds run in CI;
/// <c>LANCE_INDEX_FUZZ_SECONDS</c> keeps drawing seeds from <c>LANCE_INDEX_FUZZ_SEED</c> upwards for that long.
/// </summary>
public sealed class RandomScalarIndexConformanceTests(ITestOutputHelper output)
{
    private const int Rows = 240;
    private const int FiltersPerSeed = 250;

    [Fact]
    public Task Random_filters_select_the_same_rows_through_scalar_indexes_as_by_a_scan() => RunAsync([1, 2, 3], lanceDbBuilds: false);

    [Fact]
    public Task Random_filters_select_the_same_rows_through_indexes_LanceDB_built_as_by_a_scan() => RunAsync([1, 2], lanceDbBuilds: true);

    private async Task RunAsync(int[] fixedSeeds, bool lanceDbBuilds)
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("LANCE_INDEX_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 0;
        var start = int.TryParse(Environment.GetEnvironmentVariable("LANCE_INDEX_FUZZ_SEED"), CultureInfo.InvariantCulture, out var f) ? f : Environment.TickCount & 0xFFFF;
        var clock = Stopwatch.StartNew();
        var mismatches = new List<string>();
        var (compared, indexed, seeds) = (0, 0, 0);
        foreach (var seed in seconds > 0 ? Enumerable.Range(start, int.MaxValue - start) : fixedSeeds)
        {
            if (seconds > 0 && clock.Elapsed.TotalSeconds > seconds)
            {
                break;
            }

            var verdict = await JudgeSeedAsync(seed, lanceDbBuilds);
            (compared, indexed, seeds) = (compared + verdict.Compared, indexed + verdict.UsedIndex, seeds + 1);
            mismatches.AddRange(verdict.Mismatches.Select(m => $"seed {seed}: {m}"));
            output.WriteLine($"seed {seed} ({verdict.Indexes}): {verdict.Compared} filters, {verdict.UsedIndex} answered through an index, {verdict.Mismatches.Count} failures");
        }

        output.WriteLine($"{seeds} seeds, {compared} filters, {indexed} through an index, {mismatches.Count} failures");
        foreach (var line in mismatches.Take(40))
        {
            output.WriteLine(line);
        }

        Assert.True(indexed > compared / 4, $"only {indexed} of {compared} filters used an index");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} filters differ through the indexes:\n{string.Join('\n', mismatches.Take(20))}");
    }

    private static async Task<Verdict> JudgeSeedAsync(int seed, bool lanceDbBuilds)
    {
        var random = new Random(seed);
        var batch = FilterFuzzTable.Batch(seed, Rows);
        using var folder = TempCopy.Empty();
        var path = Path.Combine(folder.Path, "fuzz.lance");
        var third = Rows / 4;
        var dataset = await LanceDataset.CreateAsync(path, batch.Schema, [batch.Slice(0, third)]);
        await dataset.AppendAsync([batch.Slice(third, third)]);
        await dataset.AppendAsync([batch.Slice(2 * third, third)]);
        await dataset.DeleteAsync($"id % {random.Next(5, 13)} = {random.Next(0, 5)}");

        var built = new List<string>();
        if (lanceDbBuilds)
        {
            await dataset.DisposeAsync();
            var indexes = batch.Schema.FieldsList.Where(x => x.Name != "id" || random.Next(2) == 0)
                .Select(x => (x.Name, Kinds: LanceDbKinds(x.DataType))).Where(x => x.Kinds.Length > 0)
                .Select(x => (x.Name, Kind: x.Kinds[random.Next(x.Kinds.Length)])).ToList();
            using var made = await LanceDbPeer.Default.RunAsync("scalar-index", new
            {
                op = "index",
                db = folder.Path,
                table = "fuzz",
                indexes = indexes.Select(x => new { column = x.Name, kind = x.Kind }).ToArray(),
            });
            built.AddRange(indexes.Select(x => $"{x.Name}:{x.Kind}"));
            dataset = await LanceDataset.OpenAsync(path);
        }

        foreach (var field in lanceDbBuilds ? Enumerable.Empty<Field>() : batch.Schema.FieldsList.Where(x => x.Name != "id" || random.Next(2) == 0))
        {
            var kinds = field.DataType is Apache.Arrow.Types.ListType
                ? [ScalarIndexKind.LabelList]
                : random.Next(2) == 0 ? new[] { ScalarIndexKind.BTree, ScalarIndexKind.Bitmap } : [ScalarIndexKind.Bitmap, ScalarIndexKind.BTree];
            foreach (var kind in kinds)
            {
                try
                {
                    await dataset.CreateScalarIndexAsync(field.Name, kind);
                    built.Add($"{field.Name}:{kind}");
                    break;
                }
                catch (LanceIndexException)
                {
                    // A type this kind does not take (the builder's message names it); the other kind may.
                }
            }
        }

        // Rows no index covers: the filters must read them as well.
        await dataset.AppendAsync([batch.Slice(3 * third, Rows - (3 * third))]);
        await using var reopened = await LanceDataset.OpenAsync(path);
        var verdict = new Verdict { Indexes = string.Join(" ", built) };
        foreach (var filter in RandomFilterGenerator.Filters(seed, FiltersPerSeed))
        {
            verdict.Compared++;
            var (throughIndex, indexError) = await TryIdsAsync(reopened, filter, useIndex: true);
            var (scanned, scanError) = await TryIdsAsync(reopened, filter, useIndex: false);
            bool uses;
            try
            {
                uses = reopened.PlanFilter(filter).Root.UsesIndex;
            }
            catch (LanceException)
            {
                uses = false;
            }

            verdict.UsedIndex += uses ? 1 : 0;
            if (scanError is not null || indexError is not null)
            {
                // A filter the scan refuses may be refused through an index too (or answered there when the index
                // alone decides it and no row is evaluated); a filter the scan answers must be answered.
                if (scanError is null)
                {
                    verdict.Mismatches.Add($"{filter}: a scan returns {scanned!.Length} rows but through the indexes it fails: {indexError}");
                }

                continue;
            }

            if (!scanned!.SequenceEqual(throughIndex!))
            {
                var missing = scanned!.Except(throughIndex!).Take(8);
                var extra = throughIndex!.Except(scanned!).Take(8);
                verdict.Mismatches.Add($"{filter}: a scan returns {scanned!.Length} rows, the indexes {throughIndex!.Length} (missing {string.Join(",", missing)}; extra {string.Join(",", extra)}){(uses ? "" : " (plan uses no index)")}");
            }
        }

        return verdict;
    }

    // The kinds LanceDB builds on a column of this type (BITMAP: integers, strings, binary, booleans; BTREE: numbers,
    // strings, booleans, dates, times, timestamps; LABEL_LIST: lists of what BITMAP takes).
    private static string[] LanceDbKinds(Apache.Arrow.Types.IArrowType type) => type switch
    {
        Apache.Arrow.Types.ListType list => LanceDbKinds(list.ValueDataType).Contains("bitmap") ? ["labelList"] : [],
        Apache.Arrow.Types.BooleanType or Apache.Arrow.Types.StringType => ["btree", "bitmap"],
        Apache.Arrow.Types.BinaryType => ["bitmap"],
        Apache.Arrow.Types.FloatType or Apache.Arrow.Types.DoubleType or Apache.Arrow.Types.HalfFloatType or Apache.Arrow.Types.Date32Type
            or Apache.Arrow.Types.TimestampType or Apache.Arrow.Types.Time64Type => ["btree"],
        Apache.Arrow.Types.IntegerType => ["btree", "bitmap"],
        _ => [],
    };

    private static async Task<(long[]? Ids, string? Error)> TryIdsAsync(LanceDataset dataset, string filter, bool useIndex)
    {
        try
        {
            return (await IdsAsync(dataset, filter, useIndex), null);
        }
        catch (LanceException e)
        {
            return (null, e.Message.Split('\n')[0]);
        }
    }

    private sealed class Verdict
    {
        public string Indexes { get; init; } = "";

        public int Compared { get; set; }

        public int UsedIndex { get; set; }

        public List<string> Mismatches { get; } = [];
    }
}
