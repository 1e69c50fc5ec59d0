using System.Globalization;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// LanceDB's own 2.2 type-matrix table from the corpus (every column type it writes, with its
/// compressive encodings): we append all of its rows again, under new ids, as 2.2 files, and LanceDB
/// reads our copy of every value exactly as it reads its own, then deletes from and compacts the table.
/// </summary>
public sealed class FileFormat22CorpusTests(ForeignCorpus corpus) : IClassFixture<ForeignCorpus>, IDisposable
{
    private const string Table = "types_2_2";
    private const long IdShift = 1_000_000;
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task LanceDB_reads_every_column_type_of_its_2_2_matrix_table_from_the_files_we_append()
    {
        var path = Path.Combine(_db.Path, Table + ".lance");
        using (var copy = TempCopy.Of(corpus.Dataset(Table)))
        {
            Directory.Move(copy.Path, path);
        }

        var dataset = await LanceDataset.OpenAsync(path);
        var again = new List<RecordBatch>();
        await foreach (var batch in dataset.ScanAsync())
        {
            again.Add(WithShiftedIds(batch));
        }

        await dataset.AppendAsync(again);

        using var doc = await _peer.RunAsync("scan-types", new { db = _db.Path, table = Table });
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => long.Parse(r.GetProperty("id").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(2 * ForeignCorpus.TypeRows, rows.Count);
        var columns = rows[0].EnumerateObject().Select(p => p.Name).Where(n => n != "id").ToList();
        Assert.Equal(ForeignCorpusTests.MatrixColumns.Order(), columns.Order());
        var mismatches = rows.Where(r => r.Key >= IdShift)
            .SelectMany(r => columns
                .Where(c => r.Value.GetProperty(c).GetRawText() != rows[r.Key - IdShift].GetProperty(c).GetRawText())
                .Select(c => $"id {r.Key - IdShift}, column '{c}': LanceDB wrote {TypeMatrixInLanceDbTests.Shorten(rows[r.Key - IdShift].GetProperty(c).GetRawText())}, reads ours as {TypeMatrixInLanceDbTests.Shorten(r.Value.GetProperty(c).GetRawText())}"))
            .ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} values differ; first ones:\n{string.Join("\n", mismatches.Take(15))}");

        // LanceDB refuses to delete from or compact a table whose data files differ in version.
        using var ops = await _peer.RunAsync("foreign-ops", new { db = _db.Path, table = Table, delete = "id % 2 = 0", optimize = true });
        Assert.Equal(ForeignCorpus.TypeRows, ops.RootElement.GetProperty("countRows").GetInt64());
        Assert.Equal(ForeignCorpus.TypeRows, (await LanceDataset.OpenAsync(path)).CountRows());
    }

    private static RecordBatch WithShiftedIds(RecordBatch batch)
    {
        int index = batch.Schema.GetFieldIndex("id");
        var ids = (Int64Array)batch.Column(index);
        var shifted = new Int64Array.Builder();
        for (int i = 0; i < ids.Length; i++)
        {
            shifted.Append(ids.GetValue(i)!.Value + IdShift);
        }

        var columns = Enumerable.Range(0, batch.ColumnCount).Select(c => c == index ? shifted.Build() : batch.Column(c)).ToList();
        return new RecordBatch(batch.Schema, columns, batch.Length);
    }
}
