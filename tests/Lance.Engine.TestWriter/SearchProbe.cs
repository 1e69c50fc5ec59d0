using System.Globalization;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Search.Kernels;

namespace Lance.Engine.TestWriter;

/// <summary>
/// Searches a dataset in every way the kernels serve (exact per metric, exact in a batch, through
/// the index with and without refinement) and writes one line per hit with the distance's bits, so
/// that a parent can compare a child run with the wider SIMD paths switched off against itself.
/// </summary>
public static class SearchProbe
{
    /// <summary>The dimension of the probe's vectors: two 16-lane blocks and a tail.</summary>
    public const int Dimension = 33;

    /// <summary>The width this process's kernels run at (<c>KernelWidth</c> by name).</summary>
    public static string Width => KernelWidths.Best.ToString();

    /// <summary>The hits of every search, one line each: search, rank, id, distance bits.</summary>
    public static async Task<List<string>> LinesAsync(LanceDataset dataset)
    {
        var random = new Random(2024);
        var queries = Enumerable.Range(0, 3)
            .Select(_ => (ReadOnlyMemory<float>)Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray())
            .ToList();
        var lines = new List<string>();
        foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.Dot })
        {
            var request = new VectorSearchRequest("vector", queries[0], 15) { Metric = metric, BypassIndex = true };
            Add(lines, $"exact {metric}", await dataset.SearchAsync(request));
            Add(lines, $"prefiltered {metric}", await dataset.SearchAsync(request with { Filter = "id % 3 = 1 OR id >= 600" }));
            var batch = await dataset.SearchBatchAsync(request, queries);
            for (var q = 0; q < batch.Count; q++)
            {
                Add(lines, $"batch {metric} {q}", batch[q]);
            }
        }

        var indexed = new VectorSearchRequest("vector", queries[1], 15) { Nprobes = 2 };
        Add(lines, "indexed", await dataset.SearchAsync(indexed));
        Add(lines, "refined", await dataset.SearchAsync(indexed with { RefineFactor = 3 }));
        return lines;
    }

    private static void Add(List<string> lines, string search, RecordBatch hits)
    {
        var ids = (Int64Array)hits.Column("id");
        var distances = (FloatArray)hits.Column("_distance");
        for (var i = 0; i < hits.Length; i++)
        {
            var bits = BitConverter.SingleToInt32Bits(distances.GetValue(i)!.Value).ToString("X8", CultureInfo.InvariantCulture);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{search} #{i}: id {ids.GetValue(i)} distance {bits}"));
        }
    }
}
