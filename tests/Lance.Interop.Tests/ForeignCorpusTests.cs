using System.Text.Json;
using Apache.Arrow;
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
        "del_small_2_0", "del_small_2_1", "del_small_2_2",
        "del_large_2_0", "del_large_2_1", "del_large_2_2",
        "v1_names", "compacted", "ivf_pq",
    ];

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
        using var expected = corpus.Expected(table);
        var rows = expected.RootElement.GetProperty("rows").EnumerateArray().ToList();
        var dataset = await LanceDataset.OpenAsync(corpus.Dataset(table));
        var failures = new List<string>();
        foreach (var field in expected.RootElement.GetProperty("schema").EnumerateArray())
        {
            string column = field.GetProperty("name").GetString()!;
            string type = field.GetProperty("type").GetString()!;
            try
            {
                var batches = new List<RecordBatch>();
                await foreach (var batch in dataset.ScanAsync([column]))
                {
                    batches.Add(batch);
                }

                int row = 0;
                string? difference = null;
                foreach (var batch in batches)
                {
                    var array = batch.Column(0);
                    for (int i = 0; i < batch.Length && difference is null; i++, row++)
                    {
                        if (row >= rows.Count)
                        {
                            difference = $"we read more than LanceDB's {rows.Count} rows";
                            break;
                        }

                        var d = ForeignArrowJson.Difference(rows[row].GetProperty(column), ForeignArrowJson.Render(array, i));
                        if (d is not null)
                        {
                            difference = $"row {row}{d}";
                        }
                    }
                }

                if (difference is null && row != rows.Count)
                {
                    difference = $"we read {row} rows, LanceDB {rows.Count}";
                }

                if (difference is not null)
                {
                    failures.Add($"{column} ({type}): {difference}");
                }
            }
            catch (Exception e) when (e is LanceException or NotSupportedException or InvalidCastException or ArgumentException)
            {
                failures.Add($"{column} ({type}): {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{table}: {failures.Count} column(s) differ from LanceDB:\n  " + string.Join("\n  ", failures));
    }
}
