using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

public class TypeMatrixRoundTripTests
{
    private static RecordBatch RoundTrip(RecordBatch batch, DataFileWriterOptions? options = null)
    {
        using var stream = new MemoryStream();
        DataFileWriter.Write(stream, LanceSchema.FromArrow(batch.Schema), [batch], options);
        using var reader = DataFileReader.FromBytes(stream.ToArray());
        return reader.Read();
    }

    [Fact]
    public void Every_type_in_the_matrix_reads_back_value_by_value()
    {
        var batch = TypeMatrix.Batch(0, 2000);

        var read = RoundTrip(batch);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
    }

    [Fact]
    public void Every_type_reads_back_when_pages_are_small_and_split_inside_lists()
    {
        var batch = TypeMatrix.Batch(5, 700);

        var read = RoundTrip(batch, new DataFileWriterOptions { MaxPageBytes = 512, MaxPageRows = 37 });

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
    }

    [Fact]
    public void Every_type_keeps_its_arrow_type_and_nullability()
    {
        var batch = TypeMatrix.Batch(0, 10);

        var read = RoundTrip(batch);

        Assert.Equal(
            batch.Schema.FieldsList.Select(f => (f.Name, Arrow.SchemaAlignment.Describe(f.DataType), f.IsNullable)),
            read.Schema.FieldsList.Select(f => (f.Name, Arrow.SchemaAlignment.Describe(f.DataType), f.IsNullable)));
    }
    [Fact]
    public void Every_type_reads_back_from_sliced_batches()
    {
        var whole = TypeMatrix.Batch(0, 200);
        var slices = new[] { whole.Slice(0, 13), whole.Slice(13, 100), whole.Slice(113, 87) };

        using var stream = new MemoryStream();
        DataFileWriter.Write(stream, LanceSchema.FromArrow(whole.Schema), slices);
        using var reader = DataFileReader.FromBytes(stream.ToArray());

        Assert.Equal(ArrowValues.Rows(whole), ArrowValues.Rows(reader.Read()));
    }
}
