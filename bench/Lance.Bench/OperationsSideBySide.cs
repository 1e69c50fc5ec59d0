using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Dataset;

namespace Lance.Bench;

/// <summary>
/// Table operations for the engine and for LanceDB (Node) on the same rows, in one run:
/// <c>dotnet run -c Release --project bench/Lance.Bench -- ops [rows]</c> (default 1,000,000 rows of
/// id, text and a 384-d vector). Ingest (rows/s and MB/s of Arrow data), full scans with the files in
/// the page cache, a delete of 20% of the rows, compaction afterwards, and an upsert of 100,000 rows.
/// </summary>
public static class OperationsSideBySide
{
    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        const int Runs = 3;
        var work = Path.Combine(Path.GetTempPath(), "lance-ops-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var batch = BenchRow.ToRecordBatch(BenchData.Rows(rows));
            var megabytes = BatchBytes(batch) / 1e6;
            Console.WriteLine($"Data: {rows:N0} rows of (id int64, text utf8, vector float32[{BenchData.Dimension}]) = {megabytes:N0} MB of Arrow data; {Environment.ProcessorCount} cores.");
            var ipc = Path.Combine(work, "rows.arrow");
            await BenchData.WriteIpcAsync(ipc, batch);

            // Ours: Arrow batches of 64k rows (as a stream would bring them) into a new dataset.
            var slices = Enumerable.Range(0, (rows + 65535) / 65536).Select(i => batch.Slice(i * 65536, Math.Min(65536, rows - i * 65536))).ToList();
            var ingest = new List<double>();
            var path = "";
            for (var run = 0; run < Runs; run++)
            {
                path = Path.Combine(work, $"ours-{run}.lance");
                GC.Collect();
                var clock = Stopwatch.StartNew();
                await LanceDataset.CreateAsync(path, batch.Schema, slices);
                ingest.Add(clock.Elapsed.TotalSeconds);
            }

            // Scans: a fresh dataset object each time (no decoded-column cache), files in the page cache.
            async Task<double> ScanAsync(IReadOnlyList<string>? columns)
            {
                var dataset = await LanceDataset.OpenAsync(path);
                var clock = Stopwatch.StartNew();
                long count = 0;
                double checksum = 0;
                await foreach (var b in dataset.ScanAsync(columns))
                {
                    count += b.Length;
                    checksum += BenchSupport.Consume(b);
                }

                GC.KeepAlive(checksum);

                var seconds = clock.Elapsed.TotalSeconds;
                if (count != rows)
                {
                    throw new InvalidOperationException($"scan returned {count} rows, expected {rows}");
                }

                return seconds;
            }

            await ScanAsync(null);
            var scans = new List<double>();
            var vectorScans = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                scans.Add(await ScanAsync(null));
            }

            for (var run = 0; run < Runs; run++)
            {
                vectorScans.Add(await ScanAsync(["vector"]));
            }

            // Deletes through the SQL filter, as an application calls it: the first call in the process
            // (JIT included) and a second one.
            var target = await LanceDataset.OpenAsync(path);
            var clock2 = Stopwatch.StartNew();
            var deleted = await target.DeleteAsync("id % 5 = 0");
            var deleteSeconds = clock2.Elapsed.TotalSeconds;
            clock2.Restart();
            var deletedAgain = await target.DeleteAsync("id % 5 = 1");
            var deleteAgainSeconds = clock2.Elapsed.TotalSeconds;
            clock2.Restart();
            var compaction = await target.CompactAsync();
            var compactSeconds = clock2.Elapsed.TotalSeconds;

            // Upsert of 100,000 rows keyed on id after the compaction: the first half of the source ids
            // exist (their rows are replaced; a fifth of them were deleted above and are inserted again)
            // and the second half are new.
            var mergeRows = BenchData.Rows(100_000, seed: 999).Select((r, i) => r with { Id = rows - 50_000 + i }).ToArray();
            var mergeBatch = BenchRow.ToRecordBatch(mergeRows);
            var mergeIpc = Path.Combine(work, "merge.arrow");
            await BenchData.WriteIpcAsync(mergeIpc, mergeBatch);
            clock2.Restart();
            var merged = await target.MergeInsertAsync(["id"], [mergeBatch], new MergeInsertOptions { WhenMatchedUpdateAll = true, WhenNotMatchedInsertAll = true });
            var mergeSeconds = clock2.Elapsed.TotalSeconds;
            var rowsAfterMerge = await target.CountRowsAsync(null);

            var node = BenchSupport.Node("bench-ops.mjs", new { ipc, mergeIpc, db = Path.Combine(work, "node"), table = "bench", runs = Runs, deleteFilter = "id % 5 = 0", deleteFilter2 = "id % 5 = 1" });
            var nodeIngest = BenchSupport.Median(node.GetProperty("ingestSeconds").EnumerateArray().Select(e => e.GetDouble()).ToList());
            var nodeScan = BenchSupport.Median(node.GetProperty("scanSeconds").EnumerateArray().Select(e => e.GetDouble()).ToList());
            var nodeVectorScan = BenchSupport.Median(node.GetProperty("scanVectorSeconds").EnumerateArray().Select(e => e.GetDouble()).ToList());
            var nodeDelete = node.GetProperty("deleteSeconds").GetDouble();
            var nodeDeleteAgain = node.GetProperty("deleteSeconds2").GetDouble();
            var nodeCompact = node.GetProperty("compactSeconds").GetDouble();
            var vectorMb = rows * BenchData.Dimension * 4 / 1e6;

            Console.WriteLine();
            Console.WriteLine("| measure | Lance.Engine | LanceDB (Node) | Lance.Engine faster by |");
            Console.WriteLine("|---|---|---|---|");
            var ours = BenchSupport.Median(ingest);
            Console.WriteLine($"| ingest {rows:N0} rows (median of {Runs}) | {ours:F2} s = {rows / ours:N0} rows/s, {megabytes / ours:N0} MB/s | {nodeIngest:F2} s = {rows / nodeIngest:N0} rows/s, {megabytes / nodeIngest:N0} MB/s | {nodeIngest / ours:F2}x |");
            var scan = BenchSupport.Median(scans);
            Console.WriteLine($"| full scan, all columns (median of {Runs}) | {scan:F2} s = {megabytes / scan / 1000:F2} GB/s | {nodeScan:F2} s = {megabytes / nodeScan / 1000:F2} GB/s | {nodeScan / scan:F2}x |");
            var vectorScan = BenchSupport.Median(vectorScans);
            Console.WriteLine($"| full scan, vector column (median of {Runs}) | {vectorScan:F2} s = {vectorMb / vectorScan / 1000:F2} GB/s | {nodeVectorScan:F2} s = {vectorMb / nodeVectorScan / 1000:F2} GB/s | {nodeVectorScan / vectorScan:F2}x |");
            Console.WriteLine($"| delete `id % 5 = 0` ({deleted:N0} rows; first delete of the process) | {deleteSeconds * 1000:F0} ms | {nodeDelete * 1000:F0} ms ({node.GetProperty("deleted").GetInt64():N0} rows) | {nodeDelete / deleteSeconds:F2}x |");
            Console.WriteLine($"| delete `id % 5 = 1` ({deletedAgain:N0} rows; second delete) | {deleteAgainSeconds * 1000:F0} ms | {nodeDeleteAgain * 1000:F0} ms | {nodeDeleteAgain / deleteAgainSeconds:F2}x |");
            Console.WriteLine($"| compact after the deletes ({compaction.FragmentsRemoved} fragments rewritten) | {compactSeconds:F2} s | {nodeCompact:F2} s (optimize) | {nodeCompact / compactSeconds:F2}x |");
            var nodeMerge = node.GetProperty("mergeSeconds").GetDouble();
            Console.WriteLine($"| merge-insert 100,000 rows on id ({merged.Updated:N0} updated, {merged.Inserted:N0} inserted; {rowsAfterMerge:N0} rows after) | {mergeSeconds:F2} s | {nodeMerge:F2} s ({node.GetProperty("rowsAfterMerge").GetInt64():N0} rows after) | {nodeMerge / mergeSeconds:F2}x |");
            Console.WriteLine();
            Console.WriteLine($"LanceDB's compaction statistics: {node.GetProperty("compactStats").GetRawText()}");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static long BatchBytes(RecordBatch batch)
    {
        long total = 0;
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            total += Bytes(batch.Column(c).Data);
        }

        return total;

        static long Bytes(ArrayData data) => data.Buffers.Sum(b => (long)b.Length) + (data.Children ?? []).Sum(Bytes);
    }
}
