using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Tests.Format;

namespace Lance.Interop.Tests;

/// <summary>
/// The logical types LanceDB writes besides the common ones — dictionaries of every key width (and
/// over large strings and binaries), timestamps of every unit with and without a zone, date64,
/// time32/time64, durations, decimal256 — in every storage version: our type strings are LanceDB's,
/// LanceDB reads the rows we append to its tables and the tables we create, and filters over these
/// columns give LanceDB's rows. (Reading LanceDB's own tables of each is in <see cref="ForeignCorpusTests"/>.)
/// </summary>
public sealed class LogicalTypesInLanceDbTests(ForeignCorpus corpus) : IClassFixture<ForeignCorpus>
{
    /// <summary>The corpus columns of these types, as make-corpus.mjs names them.</summary>
    public static readonly string[] Columns =
    [
        "dict_i8", "dict_i16", "dict_i64", "dict_u8", "dict_u16", "dict_u32", "dict_u64", "dict_ls", "dict_bin",
        "ts_s", "ts_ms", "ts_ns", "ts_ms_utc", "ts_ns_ny", "d64", "t32_s", "t32_ms", "t64_us", "t64_ns",
        "dur_s", "dur_ms", "dur_us", "dur_ns", "dec256",
    ];

    /// <summary>The type matrix's columns of these types (tests/Lance.Engine.Tests TypeMatrix).</summary>
    public static readonly string[] MatrixColumns =
    [
        "ts_s", "ts_ms_utc", "ts_ns", "ts_ns_ny", "day64", "clock_s", "clock_ms", "clock_ns", "lag_s", "lag_ms", "lag_us", "lag_ns",
        "dec256", "tag8", "tag_u16", "tag64", "tag_u64_bin", "tag_u8_lbin",
    ];

    /// <summary>Filters over these columns; the ones LanceDB rejects must be rejected by us too.</summary>
    public static readonly string[] Filters =
    [
        // timestamps of every unit; a literal without a zone is wall-clock time in the column's zone
        "ts_s < timestamp '1967-01-01'", "ts_s = timestamp '1966-11-01 14:13:33'", "ts_s BETWEEN timestamp '1966-11-01' AND timestamp '1966-11-03'", "ts_s IS NULL",
        "ts_ms < timestamp '2024-01-01 12:00:00.5'", "ts_ms = timestamp '2023-11-14 23:13:20.124'", "ts_ms > timestamp '2023-11-14 23:13:20.1239'",
        "ts_ms IN (timestamp '2023-11-14 23:13:20.124', timestamp '2023-11-14 22:13:20.123')",
        "ts_ns > timestamp '2023-11-14 22:13:21.123456796'", "ts_ns = timestamp '2023-11-14 22:13:21.123456796'", "ts_ns < timestamp '1966-11-01'",
        "ts_ns = timestamp '2023-11-14 22:16:13.123458'", "ts_ns = timestamp '2023-11-14 22:16:13.1234585'", "ts_ns >= timestamp '2023-11-14T22:16:13.123458'",
        "ts_ms_utc > timestamp '2020-09-13 12:27:41'", "ts_ns_ny > timestamp '2022-04-15 01:24:00.2'", "ts_ns_ny < timestamp '2022-04-15 05:20:00.2'",
        "ts_s > date '1967-01-01'", "ts_ms_utc < date '2020-09-14'", "CAST(ts_ms AS date) = date '2023-11-15'", "ts_s = ts_ms", "ts_ms > '2023-11-14 22:13:21'",

        // date64
        "d64 = date '1942-08-17'", "d64 BETWEEN date '1942-08-17' AND date '1942-09-17'", "d64 < date '1943-01-01'",
        "d64 IN (date '1942-08-17', date '1942-08-18')", "d64 IS NULL", "d64 = d32", "d64 > timestamp '1942-08-17 12:00:00'",

        // dictionaries of every key width, compared with strings
        "dict_i8 = 'zeta'", "dict_i16 IN ('beta', 'gamma')", "dict_i64 IS NULL", "dict_u8 IN ('zeta')", "dict_u16 != 'alpha'", "dict_u32 LIKE 'e%'",
        "dict_u64 < 'c'", "dict_ls = 'beta'", "dict_ls LIKE '%a'", "dict_s > 'delta'", "lower(dict_u16) = 'zeta'", "dict_u8 = dict_u16", "dict_i8 = 'nope'",
        "dict_bin = X'62657461'", "dict_bin IS NULL", "dict_i8 = 1",

        // times, durations and decimal256: nulls, and the comparisons LanceDB refuses
        "t32_s IS NULL", "t64_ns IS NOT NULL", "dur_ns IS NOT NULL", "dec256 IS NULL", "t32_s > 3600", "dur_s > 5",
    ];

    public static TheoryData<string> StorageVersions() => [.. ForeignCorpusTests.StorageVersions];

    public static TheoryData<string> WritableVersions() => ["2.0", "2.1", "2.2"];

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public void Our_type_string_of_each_column_is_the_one_LanceDB_wrote(string storageVersion)
    {
        var failures = new List<string>();
        foreach (var column in Columns)
        {
            var path = corpus.Dataset($"col_{storageVersion}_{column}");
            var manifest = ManifestCodec.Decode(File.ReadAllBytes(VersionNames.List(path).MaxBy(v => v.Version).Path));
            string theirs = manifest.Schema.FindField(column)!.LogicalType;
            string ours = LanceSchema.FromArrow(manifest.Schema.ToArrow()).FindField(column)!.LogicalType;
            if (ours != theirs)
            {
                failures.Add($"{column}: LanceDB wrote '{theirs}', we write '{ours}'");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Rows_of_every_type_we_append_to_a_LanceDB_2_1_table_read_equal_in_LanceDB()
    {
        using var db = TempCopy.DatabaseWith(corpus.Dataset("types_2_1"), "types_2_1");

        await CorpusReappend.AssertLanceDbReadsEveryRowTwiceAsync(corpus, db, "types_2_1", "2.1");
    }

    [Theory]
    [MemberData(nameof(WritableVersions))]
    public async Task LanceDB_reads_every_value_of_a_table_of_these_types_we_create(string storageVersion)
    {
        using var db = TempCopy.Empty();
        var columns = TypeMatrix.Columns.Where(c => c.Name == "id" || MatrixColumns.Contains(c.Name)).ToList();
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Type, c.Nullable)), null);
        List<RecordBatch> written = [Batch(schema, columns, 0, 900), Batch(schema, columns, 900, 600)];
        await LanceDataset.CreateAsync(
            Path.Combine(db.Path, "logical.lance"), schema, written, options: new DatasetWriteOptions { DataStorageVersion = storageVersion, MaxRowsPerFile = 1000 });
        var expected = TypeMatrixInLanceDbTests.ExpectedById(written);

        using var doc = await LanceDbPeer.Default.RunAsync("scan-types", new { db = db.Path, table = "logical" });

        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(1500, rows.Count);
        var mismatches = rows
            .SelectMany(row => expected[long.Parse(row.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)]
                .Where(p => !TypeMatrixInLanceDbTests.SameJson(p.Value, row.GetProperty(p.Key)))
                .Select(p => $"id {row.GetProperty("id")}, column '{p.Key}': wrote {TypeMatrixInLanceDbTests.Shorten(p.Value?.ToJsonString() ?? "null")}, LanceDB read {TypeMatrixInLanceDbTests.Shorten(row.GetProperty(p.Key).GetRawText())}"))
            .ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} values differ; first ones:\n{string.Join("\n", mismatches.Take(15))}");
    }

    [Theory]
    [MemberData(nameof(StorageVersions))]
    public async Task Every_filter_over_these_columns_selects_LanceDBs_rows_or_is_refused_like_it(string storageVersion)
    {
        string table = $"types_{storageVersion}";
        using var db = TempCopy.DatabaseWith(corpus.Dataset(table), table);
        var dataset = await LanceDataset.OpenAsync(Path.Combine(db.Path, table + ".lance"));
        using var doc = await LanceDbPeer.Default.RunAsync("filter-conformance", new { db = db.Path, table, filters = Filters });

        var failures = new List<string>();
        foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            string filter = result.GetProperty("filter").GetString()!;
            if (await DifferenceAsync(dataset, filter, result.GetProperty("scan"), result.GetProperty("count")) is { } difference)
            {
                failures.Add($"{filter}: {difference}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Filters.Length} filters differ from LanceDB on {table}:\n" + string.Join("\n", failures));
    }

    private static RecordBatch Batch(Schema schema, IEnumerable<(string Name, Apache.Arrow.Types.IArrowType Type, bool Nullable, Func<int, object?> Value)> columns, int first, int rows) =>
        new(schema, columns.Select(c => ArrowValues.Build(c.Type, Enumerable.Range(first, rows).Select(c.Value).ToList())), rows);

    // Null when our scan and count agree with LanceDB's, else what differs.
    private static async Task<string?> DifferenceAsync(LanceDataset dataset, string filter, JsonElement scan, JsonElement count)
    {
        List<string> ids = [];
        long counted;
        try
        {
            await foreach (var batch in dataset.ScanAsync(new ScanRequest { Filter = filter, Columns = ["id"] }))
            {
                var column = (Int64Array)batch.Column(0);
                ids.AddRange(Enumerable.Range(0, batch.Length).Select(i => column.GetValue(i)!.Value.ToString(CultureInfo.InvariantCulture)));
            }

            counted = await dataset.CountRowsAsync(filter);
        }
        catch (LanceFilterException e)
        {
            return scan.TryGetProperty("error", out _) ? null : $"LanceDB accepts it, we refuse it: {e.Message}";
        }

        if (scan.TryGetProperty("error", out var error))
        {
            return $"LanceDB refuses it ({error.GetString()![..Math.Min(160, error.GetString()!.Length)]}), we select {ids.Count} rows";
        }

        var expected = scan.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
        ids.Sort(StringComparer.Ordinal);
        if (!expected.SequenceEqual(ids))
        {
            var missing = expected.Except(ids).Take(5);
            var extra = ids.Except(expected).Take(5);
            return $"LanceDB selects {expected.Count} rows, we {ids.Count} (ids only LanceDB's: {string.Join(", ", missing)}; only ours: {string.Join(", ", extra)})";
        }

        return counted == count.GetProperty("count").GetInt64() ? null : $"LanceDB counts {count.GetProperty("count")}, we {counted}";
    }
}
