using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Dataset;
using Lance.Engine.Tests.Support;

namespace Lance.Interop.Tests;

/// <summary>
/// Every table operation of the engine, each followed by LanceDB (Node) reading the table: it must see
/// exactly the rows and columns our engine sees, at the newest version and at older ones.
/// </summary>
public sealed class OperationsInLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private string TablePath => Path.Combine(_db.Path, "items.lance");

    [Fact]
    public async Task LanceDB_sees_our_rows_after_every_operation()
    {
        var dataset = await LanceDataset.CreateAsync(TablePath, Items.Schema, [Items.Range(0, 100)], options: new DatasetWriteOptions { MaxRowsPerFile = 25 });
        await AssertSameAsync(dataset, "create");

        await dataset.DeleteAsync(IdWhere(id => id % 3 == 0));
        await AssertSameAsync(dataset, "delete");
        Assert.Equal(66, await _peer.CountAsync(_db.Path, "items"));

        await dataset.UpdateAsync(IdWhere(id => id >= 90), new Dictionary<string, object?> { ["name"] = "late", ["value"] = null });
        await AssertSameAsync(dataset, "update");

        await dataset.MergeInsertAsync(["id"], [Items.Range(95, 10)], MergeInsertOptions.Upsert);
        await AssertSameAsync(dataset, "merge insert");

        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 1000 });
        Assert.Equal(1, dataset.FragmentCount);
        await AssertSameAsync(dataset, "compaction");

        await dataset.AppendAsync([Items.Range(200, 5)]);
        await dataset.AddColumnAsync(new Field("tier", Int16Type.Default, nullable: false), (short)7);
        await dataset.AddColumnAsync(new Field("double_id", Int64Type.Default, nullable: true), ["id"],
            batch => new Int64Array.Builder().AppendRange(((Int64Array)batch.Column(0)).Values.ToArray().Select(v => v * 2)).Build());
        await dataset.AddColumnAsync(new Field("note", StringType.Default, nullable: true));
        await AssertSameAsync(dataset, "add columns");

        await dataset.RenameColumnAsync("name", "title");
        await dataset.DropColumnsAsync(["value", "tier"]);
        await AssertSameAsync(dataset, "rename and drop");

        var afterDelete = await dataset.CheckoutAsync(2);
        Assert.Equal(await ReadAsync(afterDelete), Rows(await _peer.ScanAsync(_db.Path, "items", version: 2), afterDelete.Schema));

        await dataset.RestoreAsync(2);
        await AssertSameAsync(dataset, "restore");

        await dataset.CleanupOldVersionsAsync(TimeSpan.Zero);
        await AssertSameAsync(dataset, "cleanup");
        var versions = await _peer.VersionsAsync(_db.Path, "items");
        Assert.Equal((long)dataset.Version, versions.Current);
        Assert.Equal([(long)dataset.Version], versions.Versions.Select(v => v.Version));
    }

    private async Task AssertSameAsync(LanceDataset dataset, string step)
    {
        var ours = await ReadAsync(dataset);
        var scan = await _peer.ScanAsync(_db.Path, "items");
        Assert.True((long)dataset.Version == scan.Version, $"after {step}: LanceDB opened version {scan.Version}, we committed {dataset.Version}");
        Assert.Equal(dataset.Schema.FieldsList.Select(f => f.Name), scan.Schema.Select(f => f.Name));
        var theirs = Rows(scan, dataset.Schema);
        Assert.True(ours.SequenceEqual(theirs), $"after {step}: we read\n{string.Join("\n", ours)}\nLanceDB read\n{string.Join("\n", theirs)}");
    }

    private static async Task<List<string>> ReadAsync(LanceDataset dataset)
    {
        var rows = new List<string>();
        await foreach (var batch in dataset.ScanAsync())
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join(" | ", Enumerable.Range(0, batch.ColumnCount).Select(c => Render(batch.Column(c), r))));
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static List<string> Rows(PeerScan scan, Schema schema)
    {
        var rows = scan.Rows.Select(row => string.Join(" | ", schema.FieldsList.Select(f => Render(row, f)))).ToList();
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static string Render(IArrowArray array, int row) => array.IsNull(row) ? "null" : array switch
    {
        Int64Array a => a.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Int32Array a => a.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Int16Array a => a.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        StringArray a => a.GetString(row),
        FixedSizeListArray a => string.Join(",", ((FloatArray)a.Values).Values.Slice((a.Offset + row) * 2, 2).ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        _ => throw new NotSupportedException(array.GetType().Name),
    };

    private static string Render(PeerRow row, Field field) => row.IsNull(field.Name) ? "null" : field.DataType switch
    {
        Int64Type or Int32Type or Int16Type => row.GetInt64(field.Name).ToString(System.Globalization.CultureInfo.InvariantCulture),
        StringType => row.GetString(field.Name)!,
        FixedSizeListType => string.Join(",", row.GetVector(field.Name)!.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        _ => throw new NotSupportedException(field.DataType.Name),
    };

    private static LambdaPredicate IdWhere(Func<long, bool> predicate) => new(["id"], batch =>
    {
        var ids = (Int64Array)batch.Column(0);
        return Enumerable.Range(0, batch.Length).Select(i => predicate(ids.GetValue(i)!.Value)).ToArray();
    });
}
