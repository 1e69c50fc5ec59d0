using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Interop.Tests;

/// <summary>
/// The id/name/n table of the peer's <c>table-ops.mjs</c> and <c>shared-writer.mjs</c> (row k: id k,
/// name "r&lt;k&gt;", n k), its rows as we read them, and LanceDB's turns on it.
/// </summary>
internal static class PeerTable
{
    public static readonly Schema Schema = new(
        [
            new Field("id", Int64Type.Default, nullable: false),
            new Field("name", StringType.Default, nullable: true),
            new Field("n", Int64Type.Default, nullable: true),
        ],
        null);

    /// <summary>Rows <paramref name="start"/> .. start + count - 1, as the peer writes them.</summary>
    public static RecordBatch Rows(long start, int count)
    {
        var ids = new Int64Array.Builder();
        var names = new StringArray.Builder();
        var ns = new Int64Array.Builder();
        for (var k = start; k < start + count; k++)
        {
            ids.Append(k);
            names.Append("r" + k.ToString(CultureInfo.InvariantCulture));
            ns.Append(k);
        }

        return new RecordBatch(Schema, [ids.Build(), names.Build(), ns.Build()], count);
    }

    /// <summary>One row as text: <c>id|name|n|_rowid</c>.</summary>
    public static string Line(string id, string? name, string? n, string rowId) => $"{id}|{name ?? "null"}|{n ?? "null"}|{rowId}";

    /// <summary>Our scan with row ids, ordered by id.</summary>
    public static async Task<List<string>> OursAsync(LanceDataset dataset)
    {
        var lines = new List<(long Id, string Line)>();
        await foreach (var batch in dataset.ScanAsync(new ScanRequest { WithRowId = true }))
        {
            var ids = (Int64Array)batch.Column("id");
            var names = (StringArray)batch.Column("name");
            var ns = (Int64Array)batch.Column("n");
            var rowIds = (UInt64Array)batch.Column(LanceDataset.RowIdColumn);
            for (var i = 0; i < batch.Length; i++)
            {
                lines.Add((ids.GetValue(i)!.Value, Line(
                    ids.GetValue(i)!.Value.ToString(CultureInfo.InvariantCulture), names.GetString(i),
                    ns.GetValue(i)?.ToString(CultureInfo.InvariantCulture), rowIds.GetValue(i)!.Value.ToString(CultureInfo.InvariantCulture))));
            }
        }

        return [.. lines.OrderBy(l => l.Id).Select(l => l.Line)];
    }

    /// <summary>Runs <c>table-ops.mjs</c> steps; returns each step's result.</summary>
    public static async Task<List<JsonElement>> StepsAsync(LanceDbPeer peer, string db, string table, params object[] steps)
    {
        using var doc = await peer.RunAsync("table-ops", new { db = Path.GetFullPath(db), table, steps });
        return [.. doc.RootElement.GetProperty("results").EnumerateArray().Select(r => r.Clone())];
    }

    /// <summary>LanceDB's scan with row ids (<c>withRowId()</c>), ordered by id.</summary>
    public static async Task<List<string>> TheirsAsync(LanceDbPeer peer, string db, string table)
    {
        var result = (await StepsAsync(peer, db, table, new { op = "rows" }))[0];
        return [.. result.GetProperty("rows").EnumerateArray()
            .Select(r => (Id: long.Parse(r.GetProperty("id").GetString()!, CultureInfo.InvariantCulture), Line: Line(
                r.GetProperty("id").GetString()!, r.GetProperty("name").GetString(), r.GetProperty("n").GetString(), r.GetProperty("_rowid").GetString()!)))
            .OrderBy(r => r.Id).Select(r => r.Line)];
    }
}
