using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests.FilterFuzz;

/// <summary>Runs SQL filters through LanceDB (the peer's <c>filter-conformance</c>) and through our engine over one dataset, and says where the answers differ.</summary>
public static class FilterJudge
{
    /// <summary>Writes <paramref name="batch"/> as a dataset, runs every filter on both sides, and returns one line per disagreement.</summary>
    public static async Task<FilterVerdicts> JudgeAsync(RecordBatch batch, IReadOnlyList<string> filters)
    {
        using var ours = TempCopy.Empty();
        var dataset = await LanceDataset.CreateAsync(Path.Combine(ours.Path, "fuzz.lance"), batch.Schema, [batch]);
        using var copy = TempCopy.Of(ours.Path);
        using var doc = await LanceDbPeer.Default.RunAsync("filter-conformance", new { db = copy.Path, table = "fuzz", filters });
        var verdicts = new FilterVerdicts();
        foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            var filter = result.GetProperty("filter").GetString()!;
            var scan = result.GetProperty("scan");
            var count = result.GetProperty("count");
            var peerIds = scan.TryGetProperty("ids", out var ids) ? ids.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList() : null;
            var peerCount = count.TryGetProperty("count", out var c) ? c.GetInt64() : (long?)null;
            if ((peerIds is null) != (peerCount is null) || (peerIds is not null && peerIds.Count != peerCount))
            {
                // LanceDB's scan and count disagree: there is no one answer to match.
                verdicts.SelfContradictions.Add($"{filter}: LanceDB scan {Describe(peerIds, scan)} but count {(peerCount?.ToString(CultureInfo.InvariantCulture) ?? Error(count))}");
                continue;
            }

            var (ourIds, ourError) = await ScanAsync(dataset, filter);
            var (ourCount, countError) = await CountAsync(dataset, filter);
            verdicts.Compared++;
            if (peerIds is null)
            {
                verdicts.PeerErrors++;
                if (ourError is null || countError is null)
                {
                    verdicts.Mismatches.Add($"{filter}: LanceDB fails ({Error(scan)}) but we return {ourIds?.Count.ToString(CultureInfo.InvariantCulture) ?? "an error"} rows / count {ourCount?.ToString(CultureInfo.InvariantCulture) ?? countError}");
                }

                continue;
            }

            if (ourError is not null)
            {
                verdicts.Mismatches.Add($"{filter}: LanceDB returns {peerIds.Count} rows but we fail: {ourError.Split('\n')[0]}");
                continue;
            }

            if (!peerIds.SequenceEqual(ourIds!))
            {
                var missing = peerIds.Except(ourIds!).Take(5);
                var extra = ourIds!.Except(peerIds).Take(5);
                verdicts.Mismatches.Add($"{filter}: LanceDB {peerIds.Count} rows, we {ourIds!.Count}; only LanceDB's: [{string.Join(",", missing)}], only ours: [{string.Join(",", extra)}]");
            }
            else if (ourCount != peerCount)
            {
                verdicts.Mismatches.Add($"{filter}: LanceDB counts {peerCount}, we count {ourCount?.ToString(CultureInfo.InvariantCulture) ?? countError}");
            }
        }

        return verdicts;
    }

    private static string Describe(List<string>? ids, JsonElement scan) => ids is null ? $"fails ({Error(scan)})" : $"{ids.Count} rows";

    private static string Error(JsonElement e) => e.TryGetProperty("error", out var error) ? error.GetString() ?? "" : "";

    private static async Task<(List<string>? Ids, string? Error)> ScanAsync(LanceDataset dataset, string filter)
    {
        try
        {
            var ids = new List<string>();
            await foreach (var batch in dataset.ScanAsync(new ScanRequest { Filter = filter, Columns = ["id"] }))
            {
                var column = (Int64Array)batch.Column("id");
                ids.AddRange(Enumerable.Range(0, batch.Length).Select(i => column.GetValue(i)!.Value.ToString(CultureInfo.InvariantCulture)));
            }

            return (ids.Order(StringComparer.Ordinal).ToList(), null);
        }
        catch (LanceFilterException e)
        {
            return (null, e.Message);
        }
    }

    private static async Task<(long? Count, string? Error)> CountAsync(LanceDataset dataset, string filter)
    {
        try
        {
            return (await dataset.CountRowsAsync(filter), null);
        }
        catch (LanceFilterException e)
        {
            return (null, e.Message);
        }
    }
}

/// <summary>What one judged set of filters found.</summary>
public sealed class FilterVerdicts
{
    /// <summary>Filters both sides ran (or both refused).</summary>
    public int Compared { get; set; }

    /// <summary>Filters LanceDB refused (we must refuse them too).</summary>
    public int PeerErrors { get; set; }

    /// <summary>Where our answer differs from LanceDB's.</summary>
    public List<string> Mismatches { get; } = [];

    /// <summary>Where LanceDB's scan and count disagree with each other.</summary>
    public List<string> SelfContradictions { get; } = [];
}
