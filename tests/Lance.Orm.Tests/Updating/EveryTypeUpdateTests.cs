using Lance.Engine.Tests.Format;

namespace Lance.Orm.Tests.Updating;

/// <summary>
/// Updates store every member type exactly as an add of the same value stores it: the rows read back
/// after an update render, value by value, as the generated writer renders the expected rows.
/// </summary>
public sealed class EveryTypeUpdateTests : IDisposable
{
    private const int Rows = 6;
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<Table<EveryType>> CreateAsync()
    {
        var db = await _db.ConnectAsync();
        return await db.CreateTableAsync("every", Enumerable.Range(0, Rows).Select(EveryType.Sample));
    }

    private static List<string> Rendered(IEnumerable<EveryType> rows) => ArrowValues.Rows(EveryType.ToRecordBatch(rows.OrderBy(r => r.Id).ToArray()));

    private static List<EveryType> Expected(Func<int, bool> updated, EveryType value) =>
        Enumerable.Range(0, Rows).Select(i => updated(i) ? value with { Id = i } : EveryType.Sample(i)).ToList();

    private static async Task<List<string>> ReadAsync(Table table) => Rendered(await table.Query().ToListAsync<EveryType>());

    private static Task<long> UpdateEveryMemberAsync(Table<EveryType> table, EveryType t) => table.UpdateAsync(x => x.Id < 3, x => new EveryType
    {
        I32 = t.I32, I16 = t.I16, I8 = t.I8, U64 = t.U64, U32 = t.U32, U16 = t.U16, U8 = t.U8, F16 = t.F16, F32 = t.F32, F64 = t.F64,
        Flag = t.Flag, Text = t.Text, Blob = t.Blob, Money = t.Money, Price = t.Price, Key = t.Key, At = t.At, When = t.When, Day = t.Day,
        Time = t.Time, Span = t.Span, NSpan = t.NSpan, Shade = t.Shade, Size = t.Size, NI64 = t.NI64, NU16 = t.NU16, NF16 = t.NF16, NFlag = t.NFlag, NText = t.NText,
        NBlob = t.NBlob, NMoney = t.NMoney, NKey = t.NKey, NAt = t.NAt, NWhen = t.NWhen, NDay = t.NDay, NTime = t.NTime, NShade = t.NShade,
        NSize = t.NSize, Longs = t.Longs, Doubles = t.Doubles, Names = t.Names, Labels = t.Labels, MoreLabels = t.MoreLabels, Main = t.Main,
        Extra = t.Extra, Where = t.Where, Maybe = t.Maybe, Vector = t.Vector, Vector16 = t.Vector16, Vector8 = t.Vector8, Memory = t.Memory,
    });

    [Fact]
    public async Task A_typed_update_stores_a_value_of_every_member_type_as_an_add_stores_it()
    {
        var table = await CreateAsync();
        var value = EveryType.Sample(8);

        Assert.Equal(3, await UpdateEveryMemberAsync(table, value));

        Assert.Equal(Rendered(Expected(i => i < 3, value)), await ReadAsync(table));
    }

    [Fact]
    public async Task A_typed_update_sets_every_nullable_member_to_null()
    {
        var table = await CreateAsync();
        var value = EveryType.Sample(9); // odd samples hold null in every nullable member

        Assert.Equal(3, await UpdateEveryMemberAsync(table, value));

        Assert.Equal(Rendered(Expected(i => i < 3, value)), await ReadAsync(table));
    }

    [Theory]
    [InlineData(DateTimeKind.Unspecified)]
    [InlineData(DateTimeKind.Utc)]
    [InlineData(DateTimeKind.Local)]
    public async Task A_typed_update_stores_a_DateTime_of_each_kind_as_its_wall_clock_time_like_an_add(DateTimeKind kind)
    {
        var table = await CreateAsync();
        var at = new DateTime(2030, 6, 1, 8, 30, 0, kind).AddTicks(1234560);

        await table.UpdateAsync(x => x.Id == 4, x => new EveryType { At = at, NAt = at });

        var row = (await table.Query().Where(x => x.Id == 4).ToListAsync()).Single();
        Assert.Equal((at.Ticks, at.Ticks), (row.At.Ticks, row.NAt!.Value.Ticks));
        Assert.Equal(Rendered(Expected(i => i == 4, EveryType.Sample(4) with { At = at, NAt = at })), await ReadAsync(table));
    }

    [Fact]
    public async Task An_untyped_update_stores_a_value_of_every_column_type_as_the_models_writer_does()
    {
        var table = await CreateAsync();
        var untyped = await (await _db.ConnectAsync()).OpenTableAsync("every");
        var value = EveryType.Sample(8);

        Assert.Equal(3, await untyped.UpdateAsync("id < 3", EveryTypeValues.Untyped(value)));

        Assert.Equal(Rendered(Expected(i => i < 3, value)), await ReadAsync(untyped));
    }

    [Fact]
    public async Task An_untyped_update_sets_every_nullable_column_to_null()
    {
        var table = await CreateAsync();
        var untyped = await (await _db.ConnectAsync()).OpenTableAsync("every");
        var value = EveryType.Sample(9);

        Assert.Equal(3, await untyped.UpdateAsync("id < 3", EveryTypeValues.Untyped(value)));

        Assert.Equal(Rendered(Expected(i => i < 3, value)), await ReadAsync(untyped));
    }

    [Fact]
    public async Task An_untyped_update_takes_a_one_row_Arrow_array_as_the_value()
    {
        await CreateAsync();
        var untyped = await (await _db.ConnectAsync()).OpenTableAsync("every");
        var value = EveryType.Sample(8);
        var written = EveryType.ToRecordBatch([value]);

        await untyped.UpdateAsync("id = 5", new Dictionary<string, object?> { ["labels"] = written.Column("labels"), ["when"] = written.Column("when") });

        Assert.Equal(Rendered(Expected(i => i == 5, EveryType.Sample(5) with { Labels = value.Labels, When = value.When })), await ReadAsync(untyped));
    }

    [Fact]
    public async Task A_condition_set_to_a_bool_member_takes_its_csharp_value_per_row()
    {
        var table = await CreateAsync();

        await table.UpdateAsync(x => x.Id >= 0, x => new EveryType { Flag = !x.Flag, NFlag = x.NI64 < 0 });
        await table.UpdateAsync(x => x.Id >= 4, x => new EveryType { Flag = x.I32 > -4500 && x.NText != null });

        // NI64 is null on odd rows: C#'s lifted < gives false there, and a bool never reads null.
        var expected = Enumerable.Range(0, Rows).Select(EveryType.Sample)
            .Select(t => t with { Flag = !t.Flag, NFlag = t.NI64 < 0 })
            .Select(t => t.Id >= 4 ? t with { Flag = t.I32 > -4500 && t.NText != null } : t)
            .ToList();
        Assert.Equal(Rendered(expected), await ReadAsync(table));
    }
}
