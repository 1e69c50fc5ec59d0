using System.Buffers.Binary;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;
using Lance.Engine.DataFiles.V20;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// Data files of format 2.0 (<see cref="DataFileWriter20"/>) read back value by value, for every type
/// of the matrix. Format 2.0 keeps no struct validity, so a null struct reads back as a struct of nulls.
/// </summary>
public class Format20RoundTripTests
{
    private static byte[] Write(IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null)
    {
        using var stream = new MemoryStream();
        DataFileWriter20.Write(stream, LanceSchema.FromArrow(batches[0].Schema), batches, options);
        return stream.ToArray();
    }

    private static RecordBatch RoundTrip(IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null)
    {
        using var reader = DataFileReader.FromBytes(Write(batches, options), "written.lance");
        return reader.Read();
    }

    // What a 2.0 file gives back: the matrix's rows with every null struct made a struct of nulls.
    private static List<string> Expected(int first, int rows) => ArrowValues.Rows(new RecordBatch(
        TypeMatrix.Schema,
        TypeMatrix.Columns.Select(c => ArrowValues.Build(c.Type, Enumerable.Range(first, rows).Select(i => WithoutStructNulls(c.Type, c.Value(i))).ToList())),
        rows));

    private static object? WithoutStructNulls(IArrowType type, object? value) => type switch
    {
        StructType structType => structType.Fields.Select((f, j) => WithoutStructNulls(f.DataType, ((object?[]?)value)?[j])).ToArray(),
        ListType or LargeListType when value is object?[] items => items.Select(item => WithoutStructNulls(((NestedType)type).Fields[0].DataType, item)).ToArray(),
        _ => value,
    };

    [Fact]
    public void Every_type_in_the_matrix_reads_back_value_by_value_from_a_2_0_file()
    {
        var read = RoundTrip([TypeMatrix.Batch(0, 1500)]);

        Assert.Equal(Expected(0, 1500), ArrowValues.Rows(read));
    }

    [Fact]
    public void Every_type_reads_back_from_a_2_0_file_of_small_pages_and_sliced_batches()
    {
        var whole = TypeMatrix.Batch(3, 500);
        var slices = new[] { whole.Slice(0, 13), whole.Slice(13, 300), whole.Slice(313, 187) };

        var read = RoundTrip(slices, new DataFileWriterOptions { MaxPageBytes = 512, MaxPageRows = 37 });

        Assert.Equal(Expected(3, 500), ArrowValues.Rows(read));
    }

    [Fact]
    public void A_2_0_file_has_footer_version_0_3_and_a_column_for_every_field()
    {
        var bytes = Write([TypeMatrix.Batch(0, 10)]);
        using var reader = DataFileReader.FromBytes(bytes, "written.lance");

        Assert.Equal((0, 3), (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 8)), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(bytes.Length - 6))));
        Assert.True(reader.IsFormat20);
        Assert.Equal(reader.Schema.AllFields.Count(), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 12)));
    }

    [Fact]
    public void A_list_whose_offsets_run_past_its_items_fails_with_a_format_error_naming_the_file()
    {
        var batch = new RecordBatch(
            new Schema([new Field("ints", new ListType(new Field("item", Int32Type.Default, true)), true)], null),
            [ArrowValues.Build(new ListType(new Field("item", Int32Type.Default, true)), [new object?[] { 1, 2 }, null, new object?[] { 3 }])],
            3);
        var bytes = Write([batch]);
        // The offsets page holds the u64 ends 2, 2 + adjustment, 3: make the last one 9.
        int at = IndexOf(bytes, [2, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
        bytes[at + 16] = 9;

        var error = Assert.Throws<LanceFormatException>(() => DataFileReader.FromBytes(bytes, "bad.lance").Read());

        Assert.Contains("bad.lance", error.Message);
        Assert.Contains("ints", error.Message);
    }

    [Fact]
    public void A_dictionary_index_past_its_dictionary_fails_with_a_format_error_naming_the_file()
    {
        var type = new DictionaryType(Int32Type.Default, StringType.Default, false);
        var batch = new RecordBatch(new Schema([new Field("tag", type, true)], null), [ArrowValues.Build(type, ["a", "b", "a"])], 3);
        var bytes = Write([batch]);
        int at = IndexOf(bytes, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        bytes[at + 4] = 200;

        var error = Assert.Throws<LanceFormatException>(() => DataFileReader.FromBytes(bytes, "bad.lance").Read());

        Assert.Contains("bad.lance", error.Message);
        Assert.Contains("tag", error.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        Assert.True(at >= 0, "the expected bytes are not in the file");
        return at;
    }
}
