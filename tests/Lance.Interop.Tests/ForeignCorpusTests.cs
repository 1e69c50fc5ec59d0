using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Our engine opens every dataset of the LanceDB-written corpus and reads every value equal to what
/// LanceDB returned for the same table. A column we cannot read fails the test with its name, type
/// and the reason: nothing is skipped.
/// </summary>
public sealed class ForeignCorpusTests(ForeignCorpus corpus) : IClassFixture<ForeignCorpus>
{
    public static TheoryData<string> Tables =>
    [
        "types_2_0", "types_2_1", "types_2_2", "types_legacy",
        "del_small_2_0", "del_small_2_1", "del_small_2_2", "del_small_legacy",
        "del_large_2_0", "del_large_2_1", "del_large_2_2", "del_large_legacy",
        "v1_names", "compacted", "ivf_pq",
    ];

    /// <summary>The columns of the type matrix (besides <c>id</c>), as make-corpus.mjs names them.</summary>
    public static readonly string[] MatrixColumns =
    [
        "i8", "i16", "i32", "i32_runs", "i32_const", "i64", "i64_big", "u8", "u16", "u32", "u64", "f16", "f32", "f64", "b",
        "s", "s_low", "s_long", "ls", "bin", "lbin", "fsb", "d32", "ts", "ts_tz", "dec", "l_i32", "l_s", "l_struct", "st",
        "v_f32", "v_big", "v_f16", "v_u8", "dict_s",
        "dict_i8", "dict_i16", "dict_i64", "dict_u8", "dict_u16", "dict_u32", "dict_u64", "dict_ls", "dict_bin",
        "ts_s", "ts_ms", "ts_ns", "ts_ms_utc", "ts_ns_ny", "d64", "t32_s", "t32_ms", "t64_us", "t64_ns",
        "dur_s", "dur_ms", "dur_us", "dur_ns", "dec256",
    ];

    /// <summary>Storage versions as they appear in table names.</summary>
    public static readonly string[] StorageVersions = ["2_0", "2_1", "2_2", "legacy"];

    public static TheoryData<string, string> VersionColumns()
    {
        var data = new TheoryData<string, string>();
        foreach (var version in StorageVersions)
        {
            foreach (var column in MatrixColumns)
            {
                data.Add(version, column);
            }
        }

        return data;
    }

    /// <summary>
    /// What the engine cannot read yet: nothing today (every column of every storage version LanceDB
    /// writes reads to what LanceDB itself returns, legacy 0.1 included). A table added here makes the
    /// test assert the opposite — a typed <see cref="LanceFormatException"/> (or schema error) that names
    /// the column or format, never a wrong value or another exception — and fail once it becomes
    /// readable, so the list can only shrink with the code.
    /// </summary>
    public static readonly HashSet<string> NotYetReadable =
    [
    ];

    [Fact]
    public void The_corpus_holds_one_table_per_matrix_column_and_storage_version()
    {
        var made = corpus.Report.RootElement.GetProperty("tables").EnumerateArray()
            .Select(t => t.GetProperty("table").GetString()!).Where(t => t.StartsWith("col_", StringComparison.Ordinal)).Order().ToList();

        Assert.Equal(StorageVersions.SelectMany(v => MatrixColumns.Select(c => $"col_{v}_{c}")).Order(), made);
    }

    [Theory]
    [MemberData(nameof(VersionColumns))]
    public async Task Every_value_of_a_matrix_column_equals_what_LanceDB_returns(string storageVersion, string column)
    {
        var table = $"col_{storageVersion}_{column}";
        var failures = await CompareAsync(table);

        AssertReadOrRefused(table, failures);
    }

    [Fact]
    public async Task An_IVF_PQ_index_LanceDB_built_is_listed_and_used_not_logged_as_ignored()
    {
        var logger = new Lance.Orm.Embeddings.Tests.ListLogger();

        var dataset = await LanceDataset.OpenAsync(corpus.Dataset("ivf_pq"), new Lance.Engine.Dataset.DatasetOpenOptions { Logger = logger });

        Assert.Empty(dataset.IgnoredIndices);
        var index = Assert.Single(dataset.ListIndices());
        Assert.Equal("vector", index.Column);
        Assert.True(index.IndexedRows > 0);
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void LanceDB_accepts_every_column_type_of_the_matrix_in_every_storage_version()
    {
        var refused = corpus.Report.RootElement.GetProperty("refused");

        Assert.True(refused.GetArrayLength() == 0, $"LanceDB or apache-arrow refused: {refused.GetRawText()}");
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Our_row_count_equals_LanceDBs(string table)
    {
        using var expected = corpus.Expected(table);
        var dataset = await LanceDataset.OpenAsync(corpus.Dataset(table));

        Assert.Equal(expected.RootElement.GetProperty("countRows").GetInt64(), dataset.CountRows());
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Every_value_we_read_equals_what_LanceDB_returns(string table)
    {
        var failures = await CompareAsync(table);

        AssertReadOrRefused(table, failures);
    }

    private static void AssertReadOrRefused(string table, List<string> failures)
    {
        if (!NotYetReadable.Contains(table))
        {
            Assert.True(failures.Count == 0, $"{table}: {failures.Count} column(s) differ from LanceDB:\n  " + string.Join("\n  ", failures));
            return;
        }

        Assert.True(failures.Count > 0, $"{table} now reads equal to LanceDB: remove it from {nameof(NotYetReadable)}.");
        var untyped = failures.Where(f => !f.Contains(nameof(LanceFormatException), StringComparison.Ordinal) && !f.Contains(nameof(LanceSchemaException), StringComparison.Ordinal)).ToList();
        Assert.True(untyped.Count == 0, $"{table}: not refused with a typed format error:\n  " + string.Join("\n  ", untyped));
    }

    private async Task<List<string>> CompareAsync(string table)
    {
        using var expected = corpus.Expected(table);
        return await ForeignScanComparison.CompareAsync(corpus.Dataset(table), expected);
    }
}
