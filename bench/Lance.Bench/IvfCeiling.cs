using System.Globalization;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.DataFiles;
using Lance.Engine.Index.Vector;

namespace Lance.Bench;

/// <summary>
/// Where an IVF_SQ / IVF_HNSW_SQ index loses recall, for one index file pair read the way a search
/// reads it: per nprobes, the share of the true top-10 that lies in the probed partitions (what the
/// partitions allow), the recall of scoring every row of those partitions by its SQ code (what the
/// codes allow, no graph), and the graph's size (links per level) and the SQ range. Either library's
/// index can be measured, so two indexes' losses can be told apart.
/// </summary>
public static class IvfCeiling
{
    /// <summary>The markdown header of <see cref="MeasureAsync"/>'s rows.</summary>
    public const string Header = "| index | nprobes | true top-10 in probed partitions | SQ top-10 over probed partitions (no graph) |\n|---|---|---|---|";

    /// <summary>Prints the rows for the one vector index of the table at <paramref name="tablePath"/>.</summary>
    public static async Task MeasureAsync(string label, string tablePath, VectorSearchRequest template, List<ReadOnlyMemory<float>> queries, int[] nprobesList)
    {
        List<HashSet<long>> truth;
        await using (var dataset = await LanceDataset.OpenAsync(tablePath))
        {
            truth = (await dataset.SearchBatchAsync(template with { WithRowId = true, BypassIndex = true }, queries))
                .Select(b => ((UInt64Array)b.Column(LanceDataset.RowIdColumn)).Values.ToArray().Select(r => (long)r).ToHashSet())
                .ToList();
        }

        // The newest index folder: a table LanceDB overwrote may keep an older one.
        var folder = Directory.GetDirectories(Path.Combine(tablePath, LanceDataset.IndicesFolder)).OrderByDescending(Directory.GetLastWriteTimeUtc).First();
        using var indexFile = DataFileReader.Open(Path.Combine(folder, "index.idx"));
        using var auxFile = DataFileReader.Open(Path.Combine(folder, "auxiliary.idx"));
        var index = LanceIvfReader.Read(indexFile, "index.idx", auxFile, "auxiliary.idx", [0]);
        var partitionOf = new Dictionary<long, int>();
        for (var p = 0; p < index.Partitions; p++)
        {
            foreach (var row in index.RowIds[p])
            {
                partitionOf[row] = p;
            }
        }

        foreach (var nprobes in nprobesList)
        {
            double inProbed = 0;
            double sqFound = 0;
            for (var q = 0; q < queries.Count; q++)
            {
                var query = queries[q].ToArray();
                var probed = index.NearestPartitions(query, nprobes);
                inProbed += truth[q].Count(r => partitionOf.TryGetValue(r, out var p) && probed.Contains(p));
                var codes = new byte[index.Dimension];
                index.Quantizer.Encode(query, codes);
                var top = new Lance.Engine.Query.TopK(10);
                foreach (var p in probed)
                {
                    var distance = index.Measure(p, query, codes);
                    for (var i = 0; i < index.RowIds[p].Length; i++)
                    {
                        top.Offer(distance(i), index.RowIds[p][i]);
                    }
                }

                sqFound += top.ToSortedArray().Count(x => truth[q].Contains(x.Row));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {nprobes} | {inProbed / (queries.Count * 10.0):F3} | {sqFound / (queries.Count * 10.0):F3} |"));
        }

        var graphs = index.Graphs?.Where(g => g is not null).Select(g => g!).ToList() ?? [];
        var levels = graphs.Count == 0 ? 0 : graphs.Max(g => g.Levels.Length);
        var perLevel = Enumerable.Range(0, levels).Select(l => (
            Nodes: graphs.Sum(g => l < g.Levels.Length ? (long)g.Levels[l].Count : 0),
            Links: graphs.Sum(g => l < g.Levels.Length ? (long)g.Levels[l].Links.Length : 0))).ToList();
        var graphBytes = graphs.Sum(g => g.Levels.Sum(l => (4L * l.Links.Length) + (4L * l.Offsets.Length) + (4L * (l.Nodes?.Length ?? 0))));
        var codeBytes = index.Codes?.Sum(c => (long)c.Length) ?? 0;
        var rowIdBytes = index.RowIds.Sum(r => 8L * r.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: SQ range [{index.Quantizer.Start:G6}, {index.Quantizer.End:G6}]; graph nodes/links per level: {string.Join(", ", perLevel.Select(x => $"{x.Nodes:N0}/{x.Links:N0}"))}"
            + $" (level 0: {(perLevel.Count == 0 || perLevel[0].Nodes == 0 ? 0 : perLevel[0].Links / (double)perLevel[0].Nodes):F1} links per node);"
            + $" held when open: codes {codeBytes / 1048576.0:F1} MiB, row ids {rowIdBytes / 1048576.0:F1} MiB, graph {graphBytes / 1048576.0:F1} MiB."));
    }
}
