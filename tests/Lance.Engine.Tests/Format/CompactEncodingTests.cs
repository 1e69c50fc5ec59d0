using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// The compact encodings full-text index files are written with (<see cref="DataFileWriterOptions.Compact"/>): bit-packed
/// integers, dictionary-encoded short byte strings that repeat, bit-packed list levels; each read back as written.
/// </summary>
public class CompactEncodingTests
{
    private static readonly DataFileWriterOptions Compact = new() { Compact = true };

    private static (RecordBatch Batch, DataFileReader Reader, long Bytes) RoundTrip(Schema schema, RecordBatch batch, DataFileWriterOptions? options)
    {
        using var stream = new MemoryStream();
        var info = DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), [batch], options);
        var reader = DataFileReader.FromBytes(stream.ToArray());
        return (reader.Read(), reader, info.BytesWritten);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1024)]
    [InlineData(5000)]
    public void Integers_of_every_width_are_bit_packed_and_read_back(int rows)
    {
        var random = new Random(rows);
        var columns = new IArrowArray[]
        {
            new UInt8Array.Builder().AppendRange(Enumerable.Range(0, rows).Select(i => (byte)random.Next(8))).Build(),
            new UInt16Array.Builder().AppendRange(Enumerable.Range(0, rows).Select(i => (ushort)random.Next(1000))).Build(),
            new UInt32Array.Builder().AppendRange(Enumerable.Range(0, rows).Select(i => i % 3000 == 2999 ? uint.MaxValue : (uint)random.Next(100_000))).Build(),
            new UInt64Array.Builder().AppendRange(Enumerable.Range(0, rows).Select(i => (3UL << 32) + (ulong)i)).Build(),
            new Int32Array.Builder().AppendRange(Enumerable.Range(0, rows).Select(i => random.Next(-50, 50))).Build(),
            new Int64Array.Builder().AppendRange(Enumerable.Range(0, rows).Select(i => i % 7 == 0 ? 0L : (long)i)).Build(),
        };
        var schema = new Schema(columns.Select((c, i) => new Field($"c{i}", c.Data.DataType, false)), null);
        var batch = new RecordBatch(schema, columns, rows);

        var (read, reader, _) = RoundTrip(schema, batch, Compact);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
        for (var c = 0; c < columns.Length; c++)
        {
            Assert.All(reader.DescribePages(reader.Schema.Fields[c]), p => Assert.Equal("MiniBlock(InlineBitpacking)", p));
        }
    }

    [Fact]
    public void Repeating_byte_strings_in_lists_of_lists_go_through_a_dictionary_and_take_less_room()
    {
        // Like a full-text index's positions: per token, per document, short chunks that repeat (and some longer ones).
        var random = new Random(7);
        var inner = new ListType(new Field("item", LargeBinaryType.Default, true));
        var outer = new ListType(new Field("item", inner, true));
        var builder = new ListArray.Builder(inner);
        var documents = (ListArray.Builder)builder.ValueBuilder;
        var chunks = (LargeBinaryArray.Builder)documents.ValueBuilder;
        const int Rows = 3000;
        for (var row = 0; row < Rows; row++)
        {
            builder.Append();
            for (var d = random.Next(1, 12); d > 0; d--)
            {
                documents.Append();
                var count = random.Next(10) == 0 ? random.Next(2, 6) : 1;
                chunks.Append(BitConverter.GetBytes(count).AsSpan());
                chunks.Append(Enumerable.Range(0, count).SelectMany(_ => BitConverter.GetBytes(random.Next(30))).ToArray().AsSpan());
            }
        }

        var array = builder.Build();
        var schema = new Schema([new Field("_position", outer, false)], null);
        var batch = new RecordBatch(schema, [array], Rows);

        var (read, reader, compactBytes) = RoundTrip(schema, batch, Compact);
        var (_, _, plainBytes) = RoundTrip(schema, batch, null);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
        Assert.All(reader.DescribePages(reader.Schema.AllFields.Single(f => f.IsLeaf)), p => Assert.Equal("MiniBlock(InlineBitpacking)", p));
        Assert.True(compactBytes * 3 < plainBytes, $"{compactBytes} bytes compact, {plainBytes} plain");
    }

    [Fact]
    public void Byte_strings_that_rarely_repeat_keep_their_plain_encoding()
    {
        var values = new StringArray.Builder().AppendRange(Enumerable.Range(0, 5000).Select(i => $"value {i}")).Build();
        var schema = new Schema([new Field("s", StringType.Default, false)], null);

        var batch = new RecordBatch(schema, [values], values.Length);

        var (read, reader, _) = RoundTrip(schema, batch, Compact);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
        Assert.All(reader.DescribePages(reader.Schema.Fields[0]), p => Assert.Equal("MiniBlock(Variable(Flat(32)))", p));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pages_encoded_in_parallel_make_the_same_file(bool compact)
    {
        // Many small pages in every kind of column the index files have (flat integers, byte strings, lists of lists),
        // appended in several batches, so that several pages are ready at once and the last one of a batch waits.
        var random = new Random(11);
        var inner = new ListType(new Field("item", LargeBinaryType.Default, true));
        var outer = new ListType(new Field("item", inner, true));
        var schema = new Schema(
            [new Field("n", UInt32Type.Default, false), new Field("s", StringType.Default, false), new Field("_position", outer, false)], null);
        var batches = new List<RecordBatch>();
        for (var b = 0; b < 4; b++)
        {
            const int Rows = 2500;
            var builder = new ListArray.Builder(inner);
            var documents = (ListArray.Builder)builder.ValueBuilder;
            var chunks = (LargeBinaryArray.Builder)documents.ValueBuilder;
            for (var row = 0; row < Rows; row++)
            {
                builder.Append();
                for (var d = random.Next(1, 6); d > 0; d--)
                {
                    documents.Append();
                    chunks.Append(BitConverter.GetBytes(1).AsSpan());
                    chunks.Append(BitConverter.GetBytes(random.Next(40)).AsSpan());
                }
            }

            batches.Add(new RecordBatch(
                schema,
                [
                    new UInt32Array.Builder().AppendRange(Enumerable.Range(0, Rows).Select(_ => (uint)random.Next(1000))).Build(),
                    new StringArray.Builder().AppendRange(Enumerable.Range(0, Rows).Select(_ => $"w{random.Next(50)}")).Build(),
                    builder.Build(),
                ],
                Rows));
        }

        byte[] Write(bool parallel)
        {
            using var stream = new MemoryStream();
            var options = new DataFileWriterOptions { Compact = compact, ParallelPages = parallel, MaxPageRows = 1000, MaxPageBytes = 16 * 1024 };
            DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), batches, options);
            return stream.ToArray();
        }

        var sequential = Write(parallel: false);
        var parallel = Write(parallel: true);

        Assert.Equal(sequential, parallel);
        var reader = DataFileReader.FromBytes(parallel);
        Assert.True(reader.DescribePages(reader.Schema.AllFields.Single(f => f.Name == "item" && f.IsLeaf)).Count > 4);
        Assert.Equal(batches.SelectMany(ArrowValues.Rows), ArrowValues.Rows(reader.Read()));
    }
}
