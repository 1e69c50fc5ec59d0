using System.Text.Json;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// Compares our scan of a LanceDB-written dataset with LanceDB's own scan of it (an
/// <c>expected.json</c> as make-corpus.mjs and make-edge-tables.mjs write it), column by column.
/// </summary>
internal static class ForeignScanComparison
{
    /// <summary>
    /// Opens <paramref name="datasetPath"/> with our engine and compares every column, each read on
    /// its own so that one unreadable column does not hide the others. Returns "column (type): what
    /// differs" per failure; empty when every value equals LanceDB's.
    /// </summary>
    public static async Task<List<string>> CompareAsync(string datasetPath, JsonDocument expected)
    {
        var rows = expected.RootElement.GetProperty("rows").EnumerateArray().ToList();
        var failures = new List<string>();
        LanceDataset dataset;
        try
        {
            dataset = await LanceDataset.OpenAsync(datasetPath);
        }
        catch (LanceException e)
        {
            failures.Add($"{Path.GetFileName(datasetPath)} cannot be opened: {e.GetType().Name}: {e.Message}");
            return failures;
        }

        foreach (var field in expected.RootElement.GetProperty("schema").EnumerateArray())
        {
            string column = field.GetProperty("name").GetString()!;
            string type = field.GetProperty("type").GetString()!;
            try
            {
                int row = 0;
                string? difference = null;
                await foreach (var batch in dataset.ScanAsync([column]))
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

        return failures;
    }
}
