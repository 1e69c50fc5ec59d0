using System.Globalization;
using Lance.Orm;

namespace Lance.Interop.Tests;

public partial record Track : ILanceModel
{
    public long Id { get; init; }
    public TimeSpan Length { get; init; }
    public TimeSpan? Pause { get; init; }
}

/// <summary><see cref="TimeSpan"/> members are stored as Arrow <c>duration[us]</c>, the type pyarrow gives a Python <c>timedelta</c>.</summary>
public sealed class TimeSpanInLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    private static readonly Track[] Rows =
    [
        new() { Id = 0, Length = TimeSpan.FromMinutes(3.5), Pause = null },
        new() { Id = 1, Length = TimeSpan.Zero, Pause = TimeSpan.FromTicks(-15) },
        new() { Id = 2, Length = TimeSpan.MaxValue, Pause = TimeSpan.MinValue },
        new() { Id = 3, Length = new TimeSpan(1, 2, 3, 4, 5, 6), Pause = TimeSpan.FromTicks(19) },
    ];

    [Fact]
    public async Task LanceDB_reads_timespan_members_as_microsecond_durations_and_typed_reads_and_updates_round_trip()
    {
        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.CreateTableAsync("tracks", Rows);

        // Whole microseconds are kept, truncated toward zero (as Python's timedelta keeps them).
        static long Micros(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;
        using (var copy = TempCopy.Of(_db.Path))
        {
            using var doc = await LanceDbPeer.Default.RunAsync("scan-types", new { db = copy.Path, table = "tracks" });
            var schema = doc.RootElement.GetProperty("schema").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("type").GetString()!);
            Assert.Equal("Duration<MICROSECOND>", schema["length"]);
            Assert.Equal("Duration<MICROSECOND>", schema["pause"]);
            foreach (var row in doc.RootElement.GetProperty("rows").EnumerateArray())
            {
                var expected = Rows[int.Parse(row.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)];
                Assert.Equal(Micros(expected.Length).ToString(CultureInfo.InvariantCulture), row.GetProperty("length").GetString());
                Assert.Equal(expected.Pause is { } pause ? Micros(pause).ToString(CultureInfo.InvariantCulture) : null, row.GetProperty("pause").GetString());
            }
        }

        var read = (await table.Query().ToListAsync()).OrderBy(t => t.Id).ToList();
        Assert.Equal(Rows.Select(r => TimeSpan.FromTicks(Micros(r.Length) * 10)), read.Select(r => r.Length));
        Assert.Equal(Rows.Select(r => r.Pause is { } p ? TimeSpan.FromTicks(Micros(p) * 10) : (TimeSpan?)null), read.Select(r => r.Pause));

        await table.UpdateAsync(x => x.Id == 0, x => new Track { Pause = TimeSpan.FromSeconds(2) });
        Assert.Equal(TimeSpan.FromSeconds(2), (await table.Query().Where(x => x.Id == 0).FirstOrDefaultAsync())!.Pause);

        // Filters over durations are refused on both sides (LanceDB compares no duration with a number).
        var filter = Assert.Throws<NotSupportedException>(() => table.Query().Where(x => x.Length > TimeSpan.FromMinutes(1)));
        Assert.Contains("TimeSpan", filter.Message, StringComparison.Ordinal);
    }
}
