using System.Collections.Concurrent;
using System.Globalization;
using Apache.Arrow;
using Google.Protobuf;
using Lance.Engine.DataFiles;
using Lance.Engine.Dataset;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Writes an inverted index's files as Lance lays them out (see <see cref="FullTextIndex"/>): three
/// files per partition and <c>metadata.lance</c>, a file without rows whose schema metadata holds the
/// partition ids, the tokenizer options (<c>params</c>), the dictionary format (<c>fst</c>) and the
/// posting tail codec (<c>fixed32_v1</c>); and encodes the manifest's index details.
/// </summary>
internal static class FullTextIndexFiles
{
    /// <summary>Writes <paramref name="partitions"/> (numbered from 0) and the metadata file; returns the bytes written.</summary>
    public static async Task<long> WriteAsync(
        DatasetFiles files, string folder, FullTextIndexOptions options, IReadOnlyList<InvertedPartitionData> partitions, CancellationToken cancellationToken)
    {
        var prefix = DatasetFiles.IndexFolder(folder);
        long bytes = 0;
        for (var p = 0; p < partitions.Count; p++)
        {
            var partition = partitions[p];
            bytes += await WriteInvertAsync(files, $"{prefix}part_{p}_invert.lance", partition, InvertEntriesPerBatch, CompactFiles, new BatchBufferPool(), cancellationToken).ConfigureAwait(false);
            bytes += await WriteFileAsync(files, $"{prefix}part_{p}_tokens.lance", partition.TokensBatch(), cancellationToken).ConfigureAwait(false);
            bytes += await WriteFileAsync(files, $"{prefix}part_{p}_docs.lance", partition.DocsBatch(), cancellationToken).ConfigureAwait(false);
        }

        var metadata = new Dictionary<string, string>
        {
            ["partitions"] = "[" + string.Join(",", Enumerable.Range(0, partitions.Count).Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]",
            ["params"] = options.ToJson(),
            ["token_set_format"] = "fst",
            ["posting_tail_codec"] = "fixed32_v1",
        };
        var schema = new Schema([], metadata);
        bytes += await WriteFileAsync(files, prefix + FullTextIndex.MetadataFile, new RecordBatch(schema, [], 0), cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>
    /// The manifest's <c>lance.table.InvertedIndexDetails</c> for <paramref name="options"/>: base tokenizer (1),
    /// language as a JSON string (2), with_position (3), max_token_length (4, absent for no limit), lower_case (5),
    /// stem (6), remove_stop_words (7), ascii_folding (8), n-gram lengths (9, 10), prefix_only (11).
    /// </summary>
    public static byte[] Details(FullTextIndexOptions options)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString(options.BaseTokenizer);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(System.Text.Json.Nodes.JsonValue.Create(options.Language).ToJsonString());
        Bool(output, 3, options.WithPosition);
        if (options.MaxTokenLength is { } max)
        {
            output.WriteTag(4, WireFormat.WireType.Varint);
            output.WriteUInt32((uint)max);
        }

        Bool(output, 5, options.LowerCase);
        Bool(output, 6, options.Stem);
        Bool(output, 7, options.RemoveStopWords);
        Bool(output, 8, options.AsciiFolding);
        UInt(output, 9, (uint)options.NgramMinLength);
        UInt(output, 10, (uint)options.NgramMaxLength);
        Bool(output, 11, options.PrefixOnly);
        output.Flush();
        return buffer.ToArray();
    }

    private static void Bool(CodedOutputStream output, int field, bool value)
    {
        if (value)
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteBool(true);
        }
    }

    private static void UInt(CodedOutputStream output, int field, uint value)
    {
        if (value != 0)
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteUInt32(value);
        }
    }

    // Compressed as LanceDB compresses its index files (bit-packed integers, dictionary-encoded position chunks, bit-packed
    // list levels): about a third of the plain encodings' size, and less to write.
    // Pages are encoded on several threads at once.
    internal static readonly DataFileWriterOptions CompactFiles = new() { Compact = true, ParallelPages = true };

    /// <summary>About how many documents (all tokens together) each batch of the posting lists table holds.</summary>
    internal const int InvertEntriesPerBatch = 1 << 20;

    /// <summary>
    /// Writes the posting lists table of <paramref name="partition"/> to <paramref name="key"/>. The posting lists are
    /// encoded a batch ahead of the writer, on another thread, so encoding and writing overlap; a batch's large buffers go
    /// back to <paramref name="pool"/>, for a later batch, once the writer holds none of its rows.
    /// </summary>
    internal static async Task<long> WriteInvertAsync(
        DatasetFiles files, string key, InvertedPartitionData partition, int entriesPerBatch, DataFileWriterOptions fileOptions, BatchBufferPool pool, CancellationToken cancellationToken)
    {
        var output = await files.Store.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        await using (output.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var queue = new BlockingCollection<InvertedPartitionData.InvertBatch>(boundedCapacity: 2);
            var producer = Task.Run(
                () =>
                {
                    try
                    {
                        foreach (var batch in partition.InvertBatches(entriesPerBatch, pool, stop.Token))
                        {
                            queue.Add(batch, stop.Token);
                        }
                    }
                    finally
                    {
                        queue.CompleteAdding();
                    }
                },
                stop.Token);
            DataFileInfo info;
            try
            {
                using var writer = new File21Writer(output.Stream, LanceSchema.FromArrow(partition.InvertSchema), fileOptions, cancellationToken);
                var postings = new Queue<(long End, byte[][] Buffers)>();
                var positions = new Queue<(long End, byte[][] Buffers)>();
                foreach (var batch in queue.GetConsumingEnumerable(stop.Token))
                {
                    writer.Append(batch.Batch);
                    postings.Enqueue((writer.RowCount, batch.PostingBuffers));
                    positions.Enqueue((writer.RowCount, batch.PositionBuffers));
                    Release(postings, writer.FirstHeldRow("_posting"), pool);
                    Release(positions, writer.FirstHeldRow("_position"), pool);
                }

                await producer.ConfigureAwait(false);
                info = writer.Finish();
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(producer).ConfigureAwait(false);
                throw;
            }

            await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return info.BytesWritten;
        }
    }

    // Hands back the buffers of the batches that end at or before row `written`.
    private static void Release(Queue<(long End, byte[][] Buffers)> held, long written, BatchBufferPool pool)
    {
        while (held.Count > 0 && held.Peek().End <= written)
        {
            foreach (var buffer in held.Dequeue().Buffers)
            {
                pool.Return(buffer);
            }
        }
    }

    private static async Task<long> WriteFileAsync(DatasetFiles files, string key, RecordBatch batch, CancellationToken cancellationToken)
    {
        var output = await files.Store.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        await using (output.ConfigureAwait(false))
        {
            var info = DataFileWriter.Write(output.Stream, LanceSchema.FromArrow(batch.Schema), [batch], CompactFiles, cancellationToken);
            await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return info.BytesWritten;
        }
    }
}
