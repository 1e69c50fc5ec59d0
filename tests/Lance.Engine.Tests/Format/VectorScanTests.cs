using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;
using Lance.Engine.Storage;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Format;

/// <summary>Vector columns read straight into their Arrow buffer, or mapped from the file, give the same values.</summary>
public sealed class VectorScanTests : IDisposable
{
    private const int Dimension = 256; // 1 KiB a vector: several full-zip pages back to back
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private (string Path, RecordBatch Batch) WriteVectors(int rows, bool withNulls)
    {
        var type = new FixedSizeListType(new Field("item", FloatType.Default, true), Dimension);
        var values = Enumerable.Range(0, rows).Select(i => withNulls && i % 97 == 3 ? null : (object?)Enumerable.Range(0, Dimension).Select(d => (float)((i * 31) + d)).ToArray()).ToList();
        var schema = new Schema([new Field("id", Int32Type.Default, false), new Field("vector", type, withNulls)], null);
        var batch = new RecordBatch(schema, [ArrowValues.Build(Int32Type.Default, Enumerable.Range(0, rows).Select(i => (object?)i).ToList()), ArrowValues.Build(type, values)], rows);
        var path = _temp.Combine($"vectors-{rows}-{withNulls}.lance");
        using (var stream = File.Create(path))
        {
            DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), [batch], new DataFileWriterOptions { MaxPageBytes = 1 << 20 });
        }

        return (path, batch);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_vector_column_spanning_many_pages_reads_back_equal_whether_read_or_mapped(bool mapped)
    {
        var (path, batch) = WriteVectors(3000, withNulls: false);

        var read = DataFileReader.Read(path, columns: ["vector"], mapFlatColumns: mapped);

        var buffer = ((FixedSizeListArray)read.Column(0)).Values.Data.Buffers[1].Memory;
        Assert.Equal(mapped, System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, MappedFileMemory>(buffer, out _));
        Assert.Equal(ArrowValues.Rows(new RecordBatch(new Schema([batch.Schema.GetFieldByName("vector")], null), [batch.Column(1)], batch.Length)), ArrowValues.Rows(read));
    }

    [Fact]
    public void A_vector_column_with_nulls_is_read_not_mapped_and_keeps_its_nulls()
    {
        var (path, batch) = WriteVectors(1500, withNulls: true);

        var read = DataFileReader.Read(path, columns: ["vector"], mapFlatColumns: true);

        Assert.Equal(batch.Column(1).NullCount, read.Column(0).NullCount);
        Assert.Equal(
            Enumerable.Range(0, batch.Length).Select(i => ArrowValues.Json(batch.Column(1), i)?.ToJsonString()),
            Enumerable.Range(0, read.Length).Select(i => ArrowValues.Json(read.Column(0), i)?.ToJsonString()));
    }

    [Fact]
    public void A_mapped_vector_column_stays_readable_after_its_reader_is_closed()
    {
        var (path, _) = WriteVectors(2000, withNulls: false);

        var read = DataFileReader.Read(path, columns: ["vector"], mapFlatColumns: true);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var values = Lance.Engine.Arrow.ArrowTake.FlatValues((FixedSizeListArray)read.Column(0));
        Assert.Equal((1999 * 31) + 255, values[^1]);
        GC.KeepAlive(read);
    }

    [Fact]
    public void A_vector_column_whose_pages_lie_back_to_back_maps_as_one_view()
    {
        var (path, batch) = WriteVectors(3000, withNulls: false);
        using var reader = DataFileReader.Open(path);
        var field = reader.Schema.FindField("vector")!;

        var pieces = reader.TryMapFlatColumn(field);

        Assert.True(reader.DescribePages(field).Count > 1);
        var piece = Assert.Single(pieces!);
        Assert.True(IsMapped(piece));
        Assert.Equal(Values(batch.Column(1)), Values(piece));
    }

    [Fact]
    public void A_vector_column_whose_pages_lie_apart_maps_as_one_view_per_page_with_the_same_values()
    {
        var (path, batch) = WriteVectors(3000, withNulls: false);
        ApartPages.Rewrite(path, 256 << 10);
        using var reader = DataFileReader.Open(path);
        var field = reader.Schema.FindField("vector")!;

        var pieces = reader.TryMapFlatColumn(field)!;

        Assert.Equal(12, reader.DescribePages(field).Count); // 256 vectors of 1 KiB a page
        Assert.Equal(12, pieces.Count);
        Assert.All(pieces, piece => Assert.True(IsMapped(piece)));
        Assert.Equal(Values(batch.Column(1)), pieces.SelectMany(Values));
    }

    [Fact]
    public void A_vector_column_whose_pages_lie_apart_reads_into_one_buffer_with_the_same_values()
    {
        var (path, batch) = WriteVectors(3000, withNulls: false);
        ApartPages.Rewrite(path, 256 << 10);

        var read = DataFileReader.Read(path, columns: ["vector"], mapFlatColumns: true);

        Assert.False(IsMapped(read.Column(0))); // one array needs one buffer: read, in parallel, page by page
        Assert.Equal(0, read.Column(0).NullCount);
        Assert.Equal(Values(batch.Column(1)), Values(read.Column(0)));
    }

    [Fact]
    public void A_vector_column_with_nulls_is_not_mapped_page_by_page()
    {
        var (path, _) = WriteVectors(1500, withNulls: true);
        using var reader = DataFileReader.Open(path);

        Assert.Null(reader.TryMapFlatColumn(reader.Schema.FindField("vector")!));
    }

    private static bool IsMapped(IArrowArray vectors) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, MappedFileMemory>(((FixedSizeListArray)vectors).Values.Data.Buffers[1].Memory, out _);

    private static float[] Values(IArrowArray vectors) => Lance.Engine.Arrow.ArrowTake.FlatValues((FixedSizeListArray)vectors).ToArray();
}
