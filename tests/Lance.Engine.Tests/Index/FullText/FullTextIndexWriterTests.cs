using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Index.FullText;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Index.FullText;

public sealed class FullTextIndexWriterTests : IDisposable
{
    private static readonly string[] Words =
        ["apple", "Banana", "cherry", "running", "runs", "the", "a", "Éclair", "naïve", "dog", "dogs", "x", "zebra", "straße", "日本"];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Schema TextSchema { get; } = new([new Field("id", Int64Type.Default, false), new Field("text", StringType.Default, true)], null);

    // Word 0 ("apple") is in nearly every row, so its posting list spans several packed blocks; row 5 repeats it 300 times.
    private static RecordBatch Rows(int start, int count, int seed)
    {
        var random = new Random(seed);
        var ids = new Int64Array.Builder();
        var texts = new StringArray.Builder();
        for (var i = start; i < start + count; i++)
        {
            ids.Append(i);
            if (i % 37 == 3)
            {
                texts.AppendNull();
                continue;
            }

            var words = i == 5 ? Enumerable.Repeat("apple", 300) : Enumerable.Range(0, random.Next(12)).Select(_ => Words[random.Next(Words.Length)]).Prepend(i % 9 == 0 ? "cherry" : "apple");
            texts.Append(string.Join(random.Next(2) == 0 ? " " : ", ", words));
        }

        return new RecordBatch(TextSchema, [ids.Build(), texts.Build()], count);
    }

    private static Dictionary<long, string?> Texts(params RecordBatch[] batches)
    {
        var texts = new Dictionary<long, string?>();
        foreach (var batch in batches)
        {
            var ids = (Int64Array)batch.Column(0);
            var values = (StringArray)batch.Column(1);
            for (var i = 0; i < batch.Length; i++)
            {
                texts[ids.GetValue(i)!.Value] = values.IsNull(i) ? null : values.GetString(i);
            }
        }

        return texts;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_index_holds_every_live_rows_tokens_postings_and_positions(bool withPositions)
    {
        var first = Rows(0, 700, 1);
        var second = Rows(700, 300, 2);
        await using var dataset = await LanceDataset.CreateAsync(_folder.Combine("t.lance"), TextSchema, [first]);
        await dataset.AppendAsync([second]);
        await dataset.DeleteAsync("id % 10 = 7");
        var options = new FullTextIndexOptions { WithPosition = withPositions };

        var info = await dataset.CreateFtsIndexAsync("text", options);

        var texts = Texts(first, second);
        var live = texts.Where(kv => kv.Key % 10 != 7 && kv.Value is not null).ToDictionary();
        Assert.Equal("text_idx", info.Name);
        Assert.Equal(live.Count, info.IndexedRows);
        var (metadata, index) = dataset.FullTextIndexNamed("text_idx");
        Assert.Equal(FullTextIndex.DetailsTypeUrl, metadata.DetailsTypeUrl);
        Assert.Equal(1, metadata.IndexVersion);
        Assert.Equal(withPositions, index.Options.WithPosition);
        var partition = Assert.Single(index.Partitions);
        Assert.Equal(live.Count, partition.DocumentCount);

        // Recompute every posting list from the texts, with the same analyzer, and compare with what the files hold.
        var analyzer = new TextAnalyzer(options);
        var rowOfDoc = partition.RowIds.Select(r => (long)(r >> 32) * 700 + (long)(r & 0xFFFFFFFF)).ToArray();
        var expected = new Dictionary<string, SortedDictionary<int, List<uint>>>(StringComparer.Ordinal);
        for (var doc = 0; doc < rowOfDoc.Length; doc++)
        {
            var tokens = analyzer.Analyze(live[rowOfDoc[doc]]!);
            Assert.Equal((uint)tokens.Count, partition.NumTokens[doc]);
            foreach (var (token, position) in tokens)
            {
                var docs = expected.TryGetValue(token, out var d) ? d : expected[token] = [];
                (docs.TryGetValue(doc, out var p) ? p : docs[doc] = []).Add((uint)position);
            }
        }

        var stored = partition.Tokens().ToList();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), stored.Select(t => t.Token).Order(StringComparer.Ordinal));
        Assert.True(expected.Values.Max(d => d.Count) > 256);
        foreach (var (token, id) in stored)
        {
            var (docs, frequencies) = partition.Posting(id);
            Assert.Equal(expected[token].Keys.Select(k => (uint)k), docs);
            Assert.Equal(expected[token].Values.Select(p => (uint)p.Count), frequencies);
            if (withPositions)
            {
                for (var k = 0; k < docs.Length; k++)
                {
                    Assert.Equal(expected[token][(int)docs[k]], partition.Positions(id, k));
                }
            }
        }
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("ngram")]
    public async Task Tokens_are_numbered_in_the_order_they_first_appear_as_LanceDB_numbers_them(string tokenizer)
    {
        // LanceDB scores n-gram queries with an idf that depends on the numbering, so ours must be its: first appearance,
        // row by row, token by token (not byte order). Rows past the first chunk of 8,192 come from other workers.
        string[] texts = ["zebra apple", "mango zebra banana", "apple kiwi"];
        var rows = Enumerable.Range(0, 20_000).Select(i => i < texts.Length ? texts[i] : i == 19_999 ? "aardvark zebra" : "kiwi").ToList();
        var schema = TextSchema;
        var batch = new RecordBatch(
            schema, [new Int64Array.Builder().AppendRange(Enumerable.Range(0, rows.Count).Select(i => (long)i)).Build(), new StringArray.Builder().AppendRange(rows).Build()], rows.Count);
        await using var dataset = await LanceDataset.CreateAsync(_folder.Combine("t.lance"), schema, [batch]);
        var options = new FullTextIndexOptions { BaseTokenizer = tokenizer, Stem = false, RemoveStopWords = false };

        await dataset.CreateFtsIndexAsync("text", options);

        var analyzer = new TextAnalyzer(options);
        var expected = rows.SelectMany(t => analyzer.Analyze(t).Select(x => x.Token)).Distinct().ToList();
        var (_, index) = dataset.FullTextIndexNamed("text_idx");
        var stored = Assert.Single(index.Partitions).Tokens().OrderBy(t => t.Id).Select(t => t.Token).ToList();
        Assert.Equal(expected, stored);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rows_of_many_fragments_read_while_others_are_tokenized_are_each_indexed_once_in_row_order(bool scannedFirst)
    {
        // Eight fragments of 9,000 rows (two chunks each; their pages are read while earlier chunks are tokenized), with
        // nulls and deleted rows. Row i holds "w{i} w{i+1}": a token first seen at a chunk's end shows up again in the next
        // chunk, so numbering it from a later chunk seen first by the same worker would show. Scanned first, the columns are
        // in the column cache and are read from there whole rather than page by page.
        const int FragmentRows = 9000;
        var path = _folder.Combine("t.lance");
        var all = new List<string?>();
        LanceDataset? dataset = null;
        try
        {
            for (var f = 0; f < 8; f++)
            {
                var texts = Enumerable.Range(f * FragmentRows, FragmentRows).Select(i => i % 17 == 4 ? null : $"w{i} w{i + 1}").ToList();
                all.AddRange(texts);
                var batch = new RecordBatch(
                    TextSchema,
                    [new Int64Array.Builder().AppendRange(Enumerable.Range(f * FragmentRows, FragmentRows).Select(i => (long)i)).Build(), new StringArray.Builder().AppendRange(texts).Build()],
                    FragmentRows);
                if (dataset is null)
                {
                    dataset = await LanceDataset.CreateAsync(path, TextSchema, [batch]);
                }
                else
                {
                    await dataset.AppendAsync([batch]);
                }
            }

            await dataset!.DeleteAsync("id % 10 = 3");
            if (scannedFirst)
            {
                await foreach (var _ in dataset.ScanAsync(new ScanRequest { Columns = ["text"] }))
                {
                }
            }

            var options = new FullTextIndexOptions { Stem = false, RemoveStopWords = false };

            var info = await dataset.CreateFtsIndexAsync("text", options);

            var live = Enumerable.Range(0, all.Count).Where(i => all[i] is not null && i % 10 != 3).ToList();
            Assert.Equal(live.Count, info.IndexedRows);
            var (_, index) = dataset.FullTextIndexNamed("text_idx");
            var partition = Assert.Single(index.Partitions);
            Assert.Equal(live.Select(i => ((ulong)(i / FragmentRows) << 32) | (uint)(i % FragmentRows)), partition.RowIds);
            var analyzer = new TextAnalyzer(options);
            var expected = live.SelectMany(i => analyzer.Analyze(all[i]!).Select(t => t.Token)).Distinct().ToList();
            Assert.Equal(expected, partition.Tokens().OrderBy(t => t.Id).Select(t => t.Token));
        }
        finally
        {
            if (dataset is not null)
            {
                await dataset.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(500)]
    [InlineData(60)]
    [InlineData(7)]
    public async Task The_posting_lists_file_is_the_same_when_the_buffers_of_written_batches_are_reused(int entriesPerBatch)
    {
        // Pages of a few KiB, so that the writer writes the rows of early batches (and lets go of them) while later ones
        // come: their buffers are then reused for later batches, and a reuse before the writer is done with them would
        // change the bytes of the file against one written with fresh buffers for every batch.
        await using var dataset = await LanceDataset.CreateAsync(_folder.Combine("t.lance"), TextSchema, [Rows(0, 1500, 3), Rows(1500, 1500, 4)]);
        var snapshot = dataset.Current;
        var fileOptions = new Lance.Engine.DataFiles.DataFileWriterOptions { Compact = true, ParallelPages = true, MaxPageBytes = 4096, MaxPageRows = 64 };
        using var partition = FullTextIndexBuilder.Build(
            snapshot, snapshot.Schema.GetFieldByName("text"), new TextAnalyzer(new FullTextIndexOptions { WithPosition = true }), CancellationToken.None);

        async Task<byte[]> Write(string folder, BatchBufferPool pool)
        {
            await FullTextIndexFiles.WriteInvertAsync(
                snapshot.Files, $"_indices/{folder}/part_0_invert.lance", partition, entriesPerBatch, fileOptions, pool, CancellationToken.None);
            return await File.ReadAllBytesAsync(Path.Combine(_folder.Combine("t.lance"), "_indices", folder, "part_0_invert.lance"));
        }

        var fresh = await Write("fresh", new BatchBufferPool(maxFree: 0));
        var reused = await Write("reused", new BatchBufferPool());

        Assert.True(fresh.Length > 64 * 1024, $"{fresh.Length} bytes: too few pages to let go of early batches");
        Assert.Equal(fresh, reused);
    }

    [Fact]
    public async Task Searches_find_indexed_and_later_rows_but_never_deleted_ones()
    {
        await using var dataset = await LanceDataset.CreateAsync(_folder.Combine("t.lance"), TextSchema, [Rows(0, 400, 3)]);
        await dataset.CreateFtsIndexAsync("text");
        await dataset.AppendAsync([Rows(400, 100, 4)]);
        await dataset.DeleteAsync("id % 4 = 1");

        var batch = await dataset.FullTextSearchAsync(new FullTextSearchRequest(new MatchQuery("zebra", "text")) { Limit = 1000, Columns = ["id", "text"] });

        var texts = Texts(Rows(0, 400, 3), Rows(400, 100, 4));
        var expected = texts.Where(kv => kv.Key % 4 != 1 && kv.Value is not null && kv.Value.Contains("zebra", StringComparison.Ordinal)).Select(kv => kv.Key).Order();
        var ids = (Int64Array)batch.Column("id");
        Assert.Equal(expected, Enumerable.Range(0, batch.Length).Select(i => ids.GetValue(i)!.Value).Order());
        Assert.Contains(Enumerable.Range(0, batch.Length), i => ids.GetValue(i)!.Value >= 400);
    }

    [Fact]
    public async Task The_index_outlives_a_later_fragment_whose_every_row_is_deleted_and_those_rows_never_come_back()
    {
        await using var dataset = await LanceDataset.CreateAsync(_folder.Combine("t.lance"), TextSchema, [Rows(0, 400, 3)]);
        await dataset.CreateFtsIndexAsync("text");
        await dataset.AppendAsync([Rows(400, 100, 4)]);
        await dataset.DeleteAsync("id >= 400");
        await dataset.DeleteAsync("id % 4 = 1");

        var batch = await dataset.FullTextSearchAsync(new FullTextSearchRequest(new MatchQuery("zebra", "text")) { Limit = 1000, Columns = ["id"] });

        Assert.Equal(["text"], dataset.FullTextIndexedColumns());
        var texts = Texts(Rows(0, 400, 3));
        var expected = texts.Where(kv => kv.Key % 4 != 1 && kv.Value is not null && kv.Value.Contains("zebra", StringComparison.Ordinal)).Select(kv => kv.Key).Order();
        var ids = (Int64Array)batch.Column("id");
        Assert.Equal(expected, Enumerable.Range(0, batch.Length).Select(i => ids.GetValue(i)!.Value).Order());
    }

    [Fact]
    public async Task The_index_outlives_deleting_every_row_of_an_indexed_fragment()
    {
        await using var dataset = await LanceDataset.CreateAsync(_folder.Combine("t.lance"), TextSchema, [Rows(0, 50, 3)]);
        await dataset.AppendAsync([Rows(50, 50, 4)]);
        await dataset.CreateFtsIndexAsync("text");
        await dataset.DeleteAsync("id < 50");

        var batch = await dataset.FullTextSearchAsync(new FullTextSearchRequest(new MatchQuery("apple cherry", "text")) { Limit = 1000, Columns = ["id"] });

        Assert.Equal(["text"], dataset.FullTextIndexedColumns());
        var ids = (Int64Array)batch.Column("id");
        Assert.NotEqual(0, batch.Length);
        Assert.All(Enumerable.Range(0, batch.Length), i => Assert.True(ids.GetValue(i)!.Value >= 50));
    }

    [Fact]
    public async Task Bad_columns_and_names_are_refused_with_the_column_named()
    {
        await using var dataset = await LanceDataset.CreateAsync(_folder.Combine("t.lance"), TextSchema, [Rows(0, 20, 5)]);
        await dataset.CreateFtsIndexAsync("text", name: "words");

        var missing = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateFtsIndexAsync("body"));
        Assert.Contains("'body'", missing.Message, StringComparison.Ordinal);
        var numeric = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateFtsIndexAsync("id"));
        Assert.Contains("'id'", numeric.Message, StringComparison.Ordinal);
        var taken = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateFtsIndexAsync("text", name: "words", replace: false));
        Assert.Contains("'words'", taken.Message, StringComparison.Ordinal);
        var tokenizer = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateFtsIndexAsync("text", new FullTextIndexOptions { BaseTokenizer = "icu" }));
        Assert.Contains("icu", tokenizer.Message, StringComparison.Ordinal);
        Assert.Equal("text", dataset.FullTextIndexedColumns().Single());
    }
}
