using System.Globalization;
using System.Text.Json.Nodes;
using Lance.Engine.Tests.Format;
using Lance.Orm;
using Lance.Orm.Tests.Updating;

namespace Lance.Interop.Tests;

/// <summary>
/// A typed table with a member of every mapped type, updated by us (typed and untyped, values and
/// nulls), is read back by LanceDB (Node) value by value as we read it, and as the generated writer
/// writes the expected rows.
/// </summary>
public sealed class UpdatesInLanceDbTests : IDisposable
{
    private const int Rows = 6;
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData("2.1")]
    [InlineData("2.2")]
    public async Task LanceDB_reads_every_member_type_our_updates_stored_as_we_read_it(string storageVersion)
    {
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { DataStorageVersion = storageVersion });
        var table = await db.CreateTableAsync("every", Enumerable.Range(0, Rows).Select(EveryType.Sample));
        var set = EveryType.Sample(8);
        var cleared = EveryType.Sample(9);
        var local = new DateTime(2030, 6, 1, 8, 30, 0, DateTimeKind.Local);

        // Typed: every member of rows 0 and 1; nulls into row 2. Untyped: every column of row 3; nulls into row 4.
        await table.UpdateAsync(x => x.Id < 2, x => new EveryType
        {
            I32 = set.I32, I16 = set.I16, I8 = set.I8, U64 = set.U64, U32 = set.U32, U16 = set.U16, U8 = set.U8, F16 = set.F16, F32 = set.F32,
            F64 = set.F64, Flag = set.Flag, Text = set.Text, Blob = set.Blob, Money = set.Money, Price = set.Price, Key = set.Key, At = local,
            When = set.When, Day = set.Day, Time = set.Time, Span = set.Span, NSpan = set.NSpan, Shade = set.Shade, Size = set.Size, NI64 = set.NI64, NU16 = set.NU16, NF16 = set.NF16,
            NFlag = set.NFlag, NText = set.NText, NBlob = set.NBlob, NMoney = set.NMoney, NKey = set.NKey, NAt = set.NAt, NWhen = set.NWhen,
            NDay = set.NDay, NTime = set.NTime, NShade = set.NShade, NSize = set.NSize, Longs = set.Longs, Doubles = set.Doubles, Names = set.Names,
            Labels = set.Labels, MoreLabels = set.MoreLabels, Main = set.Main, Extra = set.Extra, Where = set.Where, Maybe = set.Maybe,
            Vector = set.Vector, Vector16 = set.Vector16, Vector8 = set.Vector8, Memory = set.Memory,
        });
        await table.UpdateAsync(x => x.Id == 2, x => new EveryType
        {
            NI64 = null, NU16 = null, NF16 = null, NFlag = null, NText = null, NBlob = null, NMoney = null, NKey = null, NAt = null, NWhen = null,
            NDay = null, NTime = null, NSpan = null, NShade = null, NSize = null, Doubles = null, MoreLabels = null, Extra = null, Maybe = null, Vector = null,
            Vector16 = null, Vector8 = null,
        });
        var untyped = await db.OpenTableAsync("every");
        await untyped.UpdateAsync("id = 3", EveryTypeValues.Untyped(set));
        await untyped.UpdateAsync("id = 4", EveryTypeValues.Untyped(cleared));

        var expected = Enumerable.Range(0, Rows).Select(i => i switch
        {
            < 2 => set with { Id = i, At = local },
            2 => EveryType.Sample(2) with
            {
                NI64 = null, NU16 = null, NF16 = null, NFlag = null, NText = null, NBlob = null, NMoney = null, NKey = null, NAt = null, NWhen = null,
                NDay = null, NTime = null, NSpan = null, NShade = null, NSize = null, Doubles = null, MoreLabels = null, Extra = null, Maybe = null, Vector = null,
                Vector16 = null, Vector8 = null,
            },
            3 => set with { Id = i },
            4 => cleared with { Id = i },
            _ => EveryType.Sample(i),
        }).ToArray();
        await table.RefreshAsync(); // the untyped table object committed the last two versions
        var ours = await table.Query().ToListAsync();
        Assert.Equal(ArrowValues.Rows(EveryType.ToRecordBatch(expected)), ArrowValues.Rows(EveryType.ToRecordBatch(ours.OrderBy(r => r.Id).ToArray())));

        using var doc = await LanceDbPeer.Default.RunAsync("scan-types", new { db = _db.Path, table = "every" });

        var written = EveryType.ToRecordBatch(expected);
        var mismatches = new List<string>();
        var seen = 0;
        foreach (var row in doc.RootElement.GetProperty("rows").EnumerateArray())
        {
            var id = int.Parse(row.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);
            seen++;
            for (var c = 0; c < written.ColumnCount; c++)
            {
                var name = written.Schema.FieldsList[c].Name;
                JsonNode? want = ArrowValues.Json(written.Column(c), id);
                if (!row.TryGetProperty(name, out var actual) || !TypeMatrixInLanceDbTests.SameJson(want, actual))
                {
                    mismatches.Add($"row {id}, column '{name}': expected {want?.ToJsonString() ?? "null"}, LanceDB read {(row.TryGetProperty(name, out var a) ? a.GetRawText() : "nothing")}");
                }
            }
        }

        Assert.Equal(Rows, seen);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
    }
}
