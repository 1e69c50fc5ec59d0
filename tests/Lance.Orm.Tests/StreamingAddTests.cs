using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Lance.Orm.Ingest;

namespace Lance.Orm.Tests;

/// <summary>
/// A typed add streams: rows are read a batch at a time, embedded into the batch's own Arrow buffer,
/// written as files while more rows come, and committed once; a failure or cancellation commits nothing.
/// </summary>
public sealed class StreamingAddTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static Point PointOf(int i) => new() { Id = i, Vector = [i, -i, i * 0.5f, 1], Label = i % 3 == 0 ? null : $"p{i}" };

    private static async IAsyncEnumerable<Point> PointsAsync(int count, Action<int>? before = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            before?.Invoke(i);
            if (i % 500 == 0)
            {
                await Task.Yield(); // a real asynchronous source, not one that completes synchronously
            }

            yield return PointOf(i);
        }
    }

    private string DataFolder(string table) => Path.Combine(_db.Path, table + ".lance", "data");

    [Fact]
    public async Task A_streamed_add_writes_several_files_and_commits_one_version_holding_every_row_and_value()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("points", [PointOf(-1)]);
        var options = new AddOptions { BatchRows = 1000, MaxBytesPerFile = 64 << 10 }; // ~64 KiB files: several per add

        await table.AddAsync(PointsAsync(20_000), options);

        Assert.Equal(2UL, table.Version);
        Assert.True(table.Dataset.FragmentCount > 3, $"expected several data files, got {table.Dataset.FragmentCount} fragments");
        var rows = await table.Query().ToListAsync();
        Assert.Equal(20_001, rows.Count);
        foreach (var row in rows.Where(r => r.Id >= 0))
        {
            var expected = PointOf((int)row.Id);
            Assert.Equal(expected.Vector, row.Vector);
            Assert.Equal(expected.Label, row.Label);
        }

        Assert.Equal(Enumerable.Range(-1, 20_001).Select(i => (long)i), rows.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task A_list_an_array_a_lazy_sequence_and_a_stream_add_the_same_rows()
    {
        var db = await _db.ConnectAsync();
        var points = Enumerable.Range(0, 300).Select(PointOf).ToList();
        var fromList = await db.CreateTableAsync<Point>("list");
        var fromArray = await db.CreateTableAsync<Point>("array");
        var fromLazy = await db.CreateTableAsync<Point>("lazy");
        var fromStream = await db.CreateTableAsync<Point>("stream");

        await fromList.AddAsync(points);
        await fromArray.AddAsync(points.ToArray(), new AddOptions { BatchRows = 7 });
        await fromLazy.AddAsync(points.Select(p => p), CancellationToken.None);
        await fromStream.AddAsync(PointsAsync(300), CancellationToken.None);

        foreach (var table in new[] { fromList, fromArray, fromLazy, fromStream })
        {
            Assert.Equal(2UL, table.Version);
            Assert.Equal(points, (await table.Query().ToListAsync()).OrderBy(p => p.Id), new PointComparer());
        }
    }

    [Fact]
    public async Task A_table_created_from_a_stream_holds_every_row_in_its_first_version()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("created", PointsAsync(5_000));

        Assert.Equal((1UL, 5_000L), (table.Version, await table.CountRowsAsync()));
        Assert.Equal(PointOf(4_321).Vector, (await table.Query().Where(p => p.Id == 4_321).ToListAsync()).Single().Vector);
    }

    [Fact]
    public async Task Rows_are_read_no_more_than_one_batch_ahead_of_the_embedding()
    {
        var (table, function) = await StreamNotesAsync();
        var produced = 0;
        var furthestAhead = 0;
        function.OnCall = count =>
        {
            furthestAhead = Math.Max(furthestAhead, produced - function.Embedded);
        };

        await table.AddAsync(Notes<StreamNote>(10_000, () => produced++), new AddOptions { BatchRows = 500 });

        Assert.Equal(10_000, function.Embedded);
        Assert.InRange(furthestAhead, 1, 500); // the old add read all 10,000 rows before embedding any
    }

    [Fact]
    public async Task Missing_vectors_are_embedded_straight_into_the_buffer_the_typed_writer_made()
    {
        var function = new TargetWritingEmbedding();
        var run = new EmbeddingRun("notes", EmbeddingRetryPipeline.Default, AddOptions.Default);
        var binding = StreamNote.EmbeddingBindings.Single();
        var embeddings = new[] { new BoundEmbedding(new EmbeddingFunctionConfig("test-target", null, binding.SourceColumn, binding.VectorColumn), 16, () => function) };
        var rows = Enumerable.Range(0, 100).Select(i => new StreamNote { Id = i, Text = $"note {i}" }).ToArray();
        var written = StreamNote.ToRecordBatch(rows);
        var writerBuffer = BufferOf(written, "vector");

        var prepared = await EmbeddingApplier.PrepareAsync(written, StreamNote.ArrowSchema, embeddings, run, owned: true, CancellationToken.None);

        Assert.Same(writerBuffer, BufferOf(prepared, "vector")); // no copy after the function wrote
        Assert.All(function.Targets, t => Assert.Same(writerBuffer, t));
        var vectors = (FixedSizeListArray)prepared.Column(prepared.Schema.GetFieldIndex("vector"));
        Assert.Equal(0, vectors.NullCount);
        var floats = ((FloatArray)vectors.Values).Values;
        Assert.Equal(HashEmbedding.Embed("note 42"), floats.Slice(42 * 16, 16).ToArray());
    }

    [Fact]
    public async Task A_function_that_only_returns_arrays_still_fills_a_streamed_add()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync<Note>("notes");

        await table.AddAsync(Notes<Note>(1_000, () => { }), new AddOptions { BatchRows = 100 });

        var rows = await table.Query().ToListAsync();
        Assert.Equal(1_000, rows.Count);
        Assert.All(rows, r => Assert.Equal(HashEmbedding.Embed(r.Text), r.Vector));
    }

    [Fact]
    public async Task An_exception_from_the_source_mid_stream_commits_nothing_and_leaves_no_data_file()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("points", [PointOf(-1)]);
        var filesBefore = Directory.GetFiles(DataFolder("points")).Length;
        var options = new AddOptions { BatchRows = 500, MaxBytesPerFile = 16 << 10 }; // files are written before the failure

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => table.AddAsync(
            PointsAsync(20_000, i =>
            {
                if (i == 15_000)
                {
                    throw new InvalidOperationException("source broke");
                }
            }),
            options));

        Assert.Equal("source broke", ex.Message);
        await table.RefreshAsync();
        Assert.Equal((1UL, 1L), (table.Version, await table.CountRowsAsync()));
        Assert.Equal(filesBefore, Directory.GetFiles(DataFolder("points")).Length);
    }

    [Fact]
    public async Task A_bad_row_late_in_the_stream_names_its_row_and_commits_nothing()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("points", [PointOf(-1)]);

        async IAsyncEnumerable<Point> WithBadRow()
        {
            await foreach (var p in PointsAsync(3_000))
            {
                yield return p.Id == 2_500 ? p with { Vector = [1, 2] } : p;
            }
        }

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => table.AddAsync(WithBadRow(), new AddOptions { BatchRows = 1_000 }));

        Assert.Contains("'points'", ex.Message);
        Assert.Contains("rows 2064–2999", ex.Message); // after the 64-row probe batch come batches of 1,000; this is the last
        await table.RefreshAsync();
        Assert.Equal((1UL, 1L), (table.Version, await table.CountRowsAsync()));
    }

    [Fact]
    public async Task Cancelling_between_batches_of_a_stream_stops_within_one_batch_and_commits_nothing()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("points", [PointOf(-1)]);
        using var cts = new CancellationTokenSource();
        var readAfterCancel = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.AddAsync(
            PointsAsync(50_000, i =>
            {
                readAfterCancel += cts.IsCancellationRequested ? 1 : 0;
                if (i == 4_321)
                {
                    cts.Cancel();
                }
            }),
            new AddOptions { BatchRows = 1_000, MaxBytesPerFile = 16 << 10 },
            cts.Token));

        Assert.InRange(readAfterCancel, 0, 1_000);
        await table.RefreshAsync();
        Assert.Equal((1UL, 1L), (table.Version, await table.CountRowsAsync()));
    }

    [Fact]
    public async Task Cancelling_inside_a_long_embedding_call_ends_the_call_and_commits_nothing()
    {
        var (table, function) = await StreamNotesAsync();
        function.Hang = true;
        using var cts = new CancellationTokenSource();
        function.OnCall = _ => cts.Cancel(); // cancelled while the call is in progress

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.AddAsync(Notes<StreamNote>(5_000, () => { }), cancellationToken: cts.Token));

        Assert.Equal(1, function.Calls);
        await table.RefreshAsync();
        Assert.Equal((1UL, 0L), (table.Version, await table.CountRowsAsync()));
    }

    [Theory]
    [InlineData(nameof(AddOptions.BatchRows))]
    [InlineData(nameof(AddOptions.BatchBytes))]
    [InlineData(nameof(AddOptions.MaxBytesPerFile))]
    [InlineData(nameof(AddOptions.MaxConcurrentFileWrites))]
    public async Task A_size_that_is_not_positive_is_refused_by_name(string option)
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("points", [PointOf(-1)]);
        var options = option switch
        {
            nameof(AddOptions.BatchRows) => new AddOptions { BatchRows = 0 },
            nameof(AddOptions.BatchBytes) => new AddOptions { BatchBytes = -1 },
            nameof(AddOptions.MaxBytesPerFile) => new AddOptions { MaxBytesPerFile = 0 },
            _ => new AddOptions { MaxConcurrentFileWrites = 0 },
        };

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => table.AddAsync([PointOf(1)], options));

        Assert.Equal(option, ex.ParamName);
        Assert.Equal(1UL, table.Version);
    }

    [Fact]
    public void The_batcher_lowers_its_row_limit_to_fit_the_byte_budget()
    {
        var batcher = new RowBatcher<Point>(8192, 16 << 20, "t");
        Assert.Equal(RowBatcher<Point>.ProbeRows, batcher.RowLimit);

        batcher.Observe(64, 64 * 1536);          // 384-d float vectors: 8,192 rows fit in 16 MiB
        Assert.Equal(8192, batcher.RowLimit);

        batcher.Observe(64, 64L * (1 << 20));    // 1 MiB images: 16 rows
        Assert.Equal(16, batcher.RowLimit);
    }

    private static byte[] BufferOf(RecordBatch batch, string column)
    {
        var list = (FixedSizeListArray)batch.Column(batch.Schema.GetFieldIndex(column));
        Assert.True(MemoryMarshal.TryGetArray(((FloatArray)list.Values).ValueBuffer.Memory, out var segment));
        return segment.Array!;
    }

    private static async IAsyncEnumerable<TNote> Notes<TNote>(int count, Action produced)
        where TNote : ILanceModel<TNote>
    {
        for (var i = 0; i < count; i++)
        {
            produced();
            if (i % 100 == 0)
            {
                await Task.Yield();
            }

            yield return typeof(TNote) == typeof(Note)
                ? (TNote)(object)new Note { Id = i, Text = $"note {i}" }
                : (TNote)(object)new StreamNote { Id = i, Text = $"note {i}" };
        }
    }

    private async Task<(Table<StreamNote> Table, TargetWritingEmbedding Function)> StreamNotesAsync()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync<StreamNote>("notes");
        return (table, (TargetWritingEmbedding)table.Embeddings.Single().Function());
    }

    private sealed class PointComparer : IEqualityComparer<Point>
    {
        public bool Equals(Point? x, Point? y) => x!.Id == y!.Id && x.Label == y.Label && x.Vector.SequenceEqual(y.Vector);

        public int GetHashCode(Point obj) => obj.Id.GetHashCode();
    }
}
