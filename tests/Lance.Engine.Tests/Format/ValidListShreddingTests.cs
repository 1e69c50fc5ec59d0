using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// Lists of lists (and lists of byte strings) without nulls are shredded a range of lists at a time: generated columns
/// with empty lists at every layer, sliced arrays and several batches, written batch by batch over small pages (so rows
/// are carried from one batch's pages to the next), read back equal.
/// </summary>
public sealed class ValidListShreddingTests
{
    private static readonly ListType ListOfInts = new(new Field("item", new ListType(new Field("item", Int32Type.Default, false)), false));
    private static readonly ListType ListOfBinary = new(new Field("item", BinaryType.Default, false));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Generated_lists_without_nulls_read_back_equal_whatever_their_empties_slices_and_batches(int seed)
    {
        var random = new Random(seed);
        var schema = new Schema([new Field("nested", ListOfInts, false), new Field("blobs", ListOfBinary, false)], null);
        var expectedNested = new List<List<List<int>>>();
        var expectedBlobs = new List<List<byte[]>>();
        var batches = new List<RecordBatch>();
        for (var b = 0; b < 2 + random.Next(6); b++)
        {
            var rows = random.Next(0, 400);
            var nested = Enumerable.Range(0, rows).Select(_ => Lists(random, r => Enumerable.Range(0, r.Next(0, 6)).Select(_ => r.Next(-1000, 1000)).ToList())).ToList();
            var blobs = Enumerable.Range(0, rows).Select(_ => Lists(random, r => { var bytes = new byte[r.Next(0, 12)]; r.NextBytes(bytes); return bytes; })).ToList();

            // Some batches are slices of longer arrays (their offsets and children start past 0).
            var skip = random.Next(2) == 0 ? random.Next(0, 5) : 0;
            var nestedArray = NestedArray([.. Enumerable.Range(0, skip).Select(_ => Lists(random, r => new List<int> { r.Next() })), .. nested]);
            var blobArray = BlobArray([.. Enumerable.Range(0, skip).Select(_ => Lists(random, r => new byte[] { (byte)r.Next() })), .. blobs]);
            batches.Add(new RecordBatch(schema, [ArrowArrayFactory.Slice(nestedArray, skip, rows), ArrowArrayFactory.Slice(blobArray, skip, rows)], rows));
            expectedNested.AddRange(nested);
            expectedBlobs.AddRange(blobs);
        }

        using var stream = new MemoryStream();
        var options = new DataFileWriterOptions { Compact = random.Next(2) == 0, ParallelPages = true, MaxPageBytes = 512, MaxPageRows = 40 };
        using (var writer = DataFileWriter.Create(stream, LanceSchema.FromArrow(schema), options))
        {
            foreach (var batch in batches)
            {
                writer.Append(batch);
            }

            writer.Finish();
        }

        var read = DataFileReader.FromBytes(stream.ToArray()).Read();
        Assert.Equal(expectedNested.Count, read.Length);
        var nestedRead = (ListArray)read.Column(0);
        var blobsRead = (ListArray)read.Column(1);
        for (var row = 0; row < read.Length; row++)
        {
            var inner = (ListArray)nestedRead.GetSlicedValues(row);
            Assert.Equal(expectedNested[row].Count, inner.Length);
            for (var i = 0; i < inner.Length; i++)
            {
                Assert.Equal(expectedNested[row][i], ((Int32Array)inner.GetSlicedValues(i)).Values.ToArray());
            }

            var blobs = (BinaryArray)blobsRead.GetSlicedValues(row);
            Assert.Equal(expectedBlobs[row].Count, blobs.Length);
            for (var i = 0; i < blobs.Length; i++)
            {
                Assert.Equal(expectedBlobs[row][i], blobs.GetBytes(i).ToArray());
            }
        }
    }

    // A list of 0 to 7 items, empty about a quarter of the time.
    private static List<T> Lists<T>(Random random, Func<Random, T> item)
        => random.Next(4) == 0 ? [] : Enumerable.Range(0, random.Next(1, 8)).Select(_ => item(random)).ToList();

    private static ListArray NestedArray(IReadOnlyList<List<List<int>>> rows)
    {
        var builder = new ListArray.Builder(ListOfInts.ValueField);
        var middle = (ListArray.Builder)builder.ValueBuilder;
        var leaf = (Int32Array.Builder)middle.ValueBuilder;
        foreach (var row in rows)
        {
            builder.Append();
            foreach (var list in row)
            {
                middle.Append();
                leaf.AppendRange(list);
            }
        }

        return builder.Build();
    }

    private static ListArray BlobArray(IReadOnlyList<List<byte[]>> rows)
    {
        var builder = new ListArray.Builder(ListOfBinary.ValueField);
        var leaf = (BinaryArray.Builder)builder.ValueBuilder;
        foreach (var row in rows)
        {
            builder.Append();
            foreach (var bytes in row)
            {
                leaf.Append(bytes.AsSpan());
            }
        }

        return builder.Build();
    }
}
