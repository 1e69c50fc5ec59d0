using System.Runtime.CompilerServices;
using Lance.Orm;

namespace Lance.Interop.Tests;

/// <summary>A typed add streamed from an <see cref="IAsyncEnumerable{T}"/> into several data files, read back by the real LanceDB.</summary>
public sealed class StreamedAddInLanceDbTests : IDisposable
{
    private const int Rows = 3_000;
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    private static InteropRow RowOf(int i)
    {
        var random = new Random(i);
        return new InteropRow
        {
            Id = i,
            Count = i % 3 == 0 ? null : -i,
            Weight = i / 7f,
            Name = $"streamed {i}",
            Note = i % 4 == 0 ? null : $"note {i}",
            Embedding = i % 11 == 0 ? null : [.. Enumerable.Range(0, 128).Select(_ => (float)random.NextDouble())],
            Small = [.. Enumerable.Range(0, 8).Select(d => (float)(i + d))],
        };
    }

    private static async IAsyncEnumerable<InteropRow> StreamAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < Rows; i++)
        {
            if (i % 100 == 0)
            {
                await Task.Yield();
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return RowOf(i);
        }
    }

    [Fact]
    public async Task LanceDB_reads_every_row_and_value_of_a_streamed_add_written_as_three_files()
    {
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { MaxRowsPerFile = 1_000 });
        var table = await db.CreateTableAsync<InteropRow>("streamed");

        await table.AddAsync(StreamAsync(), new AddOptions { BatchRows = 256 });

        Assert.Equal(3, table.Dataset.FragmentCount);
        var scan = await LanceDbPeer.Default.ScanAsync(_db.Path, "streamed");
        Assert.Equal((2L, (long)Rows), (scan.Version, scan.RowCount));
        Assert.Equal(Rows, scan.Rows.Count);
        foreach (var row in scan.Rows)
        {
            var expected = RowOf((int)row.GetInt64("id"));
            Assert.Equal(expected.Name, row.GetString("name"));
            Assert.Equal(expected.Note, row.GetString("note"));
            Assert.Equal(expected.Count, row.IsNull("count") ? null : (int)row.GetInt64("count"));
            Assert.Equal(expected.Embedding, row.GetVector("embedding"));
            Assert.Equal(expected.Small, row.GetVector("small"));
        }

        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), scan.Rows.Select(r => r.GetInt64("id")).Order());
    }
}
