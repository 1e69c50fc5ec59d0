using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

/// <summary>Each column type alone, nullable and not, through a data file and back; and the layouts chosen for them.</summary>
public class ColumnTypeTests
{
    public static TheoryData<string> ColumnNames() => [.. TypeMatrix.Columns.Select(c => c.Name)];

    private static (RecordBatch Read, DataFileReader Reader) RoundTrip(RecordBatch batch, DataFileWriterOptions? options = null)
    {
        using var stream = new MemoryStream();
        DataFileWriter.Write(stream, LanceSchema.FromArrow(batch.Schema), [batch], options);
        var reader = DataFileReader.FromBytes(stream.ToArray());
        return (reader.Read(), reader);
    }

    private static RecordBatch Single(string name, IArrowType type, bool nullable, IReadOnlyList<object?> values)
    {
        var schema = new Schema([new Field(name, type, nullable)], null);
        return new RecordBatch(schema, [ArrowValues.Build(type, values)], values.Count);
    }

    private static RecordBatch MatrixColumn(string name, int rows, bool withNulls)
    {
        var column = TypeMatrix.Columns.Single(c => c.Name == name);
        var values = Enumerable.Range(0, rows).Select(column.Value).ToList();
        if (!withNulls)
        {
            var fallback = values.FirstOrDefault(v => v is not null);
            values = values.Select(v => v ?? fallback).ToList();
        }

        return Single(name, column.Type, withNulls && column.Nullable, values);
    }

    [Theory]
    [MemberData(nameof(ColumnNames))]
    public void A_nullable_column_of_each_type_reads_back_equal(string name)
    {
        var batch = MatrixColumn(name, 300, withNulls: true);

        var (read, _) = RoundTrip(batch);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
        Assert.Equal(batch.Schema.FieldsList[0].IsNullable, read.Schema.FieldsList[0].IsNullable);
    }

    [Theory]
    [MemberData(nameof(ColumnNames))]
    public void A_non_nullable_column_of_each_type_reads_back_equal(string name)
    {
        if (name is "nothing" or "no_text")
        {
            return; // all-null by design
        }

        var batch = MatrixColumn(name, 300, withNulls: false);

        var (read, _) = RoundTrip(batch);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
        Assert.False(read.Schema.FieldsList[0].IsNullable);
    }

    [Fact]
    public void Empty_strings_and_null_strings_stay_apart()
    {
        var batch = Single("s", StringType.Default, true, ["", null, "a", "", null]);

        var (read, _) = RoundTrip(batch);

        var column = (StringArray)read.Column(0);
        Assert.Equal(["", null, "a", "", null], Enumerable.Range(0, 5).Select(i => column.IsNull(i) ? null : column.GetString(i)));
    }

    [Fact]
    public void A_one_megabyte_string_reads_back_from_a_full_zip_page()
    {
        var big = string.Concat(Enumerable.Repeat("0123456789abcdef", 64 * 1024));
        var batch = Single("s", StringType.Default, true, ["small", big, null, ""]);

        var (read, reader) = RoundTrip(batch);

        Assert.Equal(big, ((StringArray)read.Column(0)).GetString(1));
        Assert.StartsWith("FullZip(Variable", reader.DescribePages(reader.Schema.Fields[0])[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_lists_null_lists_and_lists_of_nulls_stay_apart()
    {
        var type = new ListType(new Field("item", Int32Type.Default, true));
        var batch = Single("l", type, true, [System.Array.Empty<object?>(), null, new object?[] { null }, new object?[] { 1, null, 3 }, System.Array.Empty<object?>()]);

        var (read, _) = RoundTrip(batch);

        Assert.Equal(["[]", null, "[null]", "[1,null,3]", "[]"], Enumerable.Range(0, 5).Select(i => ArrowValues.Json(read.Column(0), i)?.ToJsonString()));
    }

    [Fact]
    public void A_page_of_only_empty_and_null_lists_is_an_all_null_page_with_levels()
    {
        var type = new LargeListType(new Field("item", StringType.Default, true));
        var batch = Single("l", type, true, [System.Array.Empty<object?>(), null, null, System.Array.Empty<object?>()]);

        var (read, reader) = RoundTrip(batch);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
        Assert.Equal(["AllNullLayout"], reader.DescribePages(reader.Schema.Fields[0].Children[0]));
    }

    [Fact]
    public void A_struct_nested_two_levels_keeps_nulls_at_each_level()
    {
        var inner = new StructType([new Field("y", StringType.Default, true)]);
        var outer = new StructType([new Field("x", Int64Type.Default, true), new Field("inner", inner, true)]);
        object?[] values =
        [
            new object?[] { 1L, new object?[] { "a" } },
            null,
            new object?[] { null, null },
            new object?[] { 4L, new object?[] { null } },
        ];
        var batch = Single("s", outer, true, values);

        var (read, _) = RoundTrip(batch);

        Assert.Equal(
            ["{\"x\":\"1\",\"inner\":{\"y\":\"a\"}}", null, "{\"x\":null,\"inner\":null}", "{\"x\":\"4\",\"inner\":{\"y\":null}}"],
            Enumerable.Range(0, 4).Select(i => ArrowValues.Json(read.Column(0), i)?.ToJsonString()));
    }

    [Fact]
    public void A_list_column_has_one_column_per_leaf_and_repetition_levels_in_its_mini_blocks()
    {
        var batch = MatrixColumn("points", 500, withNulls: true);

        var (_, reader) = RoundTrip(batch);

        var points = reader.Schema.Fields[0];
        Assert.Equal("list.struct", points.LogicalType);
        var leaves = points.Children[0].Children;
        Assert.Equal(["a", "b"], leaves.Select(f => f.Name));
        Assert.All(leaves, leaf => Assert.StartsWith("MiniBlock(", reader.DescribePages(leaf)[0], StringComparison.Ordinal));
    }

    [Fact]
    public void Wide_vectors_in_a_list_go_to_full_zip_pages_with_control_words()
    {
        var type = new ListType(new Field("item", new FixedSizeListType(new Field("item", FloatType.Default, true), 128), true));
        var values = Enumerable.Range(0, 40).Select(i => i % 5 == 4 ? null : (object?)Enumerable.Range(0, i % 4).Select(k => i % 3 == 0 && k == 1 ? null : (object?)Enumerable.Range(0, 128).Select(d => (float)(i + k + d)).ToArray()).ToArray()).ToList();
        var batch = Single("vs", type, true, values);

        var (read, reader) = RoundTrip(batch);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
        Assert.StartsWith("FullZip(FixedSizeList(128", reader.DescribePages(reader.Schema.Fields[0].Children[0])[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Logical_type_strings_are_lances()
    {
        var lance = LanceSchema.FromArrow(TypeMatrix.Schema);

        string Type(string name) => lance.FindField(name)!.LogicalType;
        Assert.Equal("halffloat", Type("f16"));
        Assert.Equal("date32:day", Type("day"));
        Assert.Equal("time64:us", Type("clock"));
        Assert.Equal("timestamp:us:-", Type("ts"));
        Assert.Equal("timestamp:us:UTC", Type("ts_utc"));
        Assert.Equal("decimal:128:20:4", Type("dec"));
        Assert.Equal("fixed_size_binary:4", Type("fsb"));
        Assert.Equal("list", Type("ints"));
        Assert.Equal("large_list", Type("words"));
        Assert.Equal("list.struct", Type("points"));
        Assert.Equal("struct", Type("outer"));
        Assert.Equal("fixed_size_list:halffloat:4", Type("vec16"));
        Assert.Equal("fixed_size_list:uint8:16", Type("vec8"));
        Assert.Equal("dict:string:int32:false", Type("tag"));
        Assert.Equal("timestamp:s:-", Type("ts_s"));
        Assert.Equal("timestamp:ms:UTC", Type("ts_ms_utc"));
        Assert.Equal("timestamp:ns:America/New_York", Type("ts_ns_ny"));
        Assert.Equal("date64:ms", Type("day64"));
        Assert.Equal("time32:s", Type("clock_s"));
        Assert.Equal("time32:ms", Type("clock_ms"));
        Assert.Equal("time64:ns", Type("clock_ns"));
        Assert.Equal("duration:us", Type("lag_us"));
        Assert.Equal("decimal:256:50:6", Type("dec256"));
        Assert.Equal("dict:string:int8:false", Type("tag8"));
        Assert.Equal("dict:large_string:int64:false", Type("tag64"));
        Assert.Equal("dict:binary:uint64:false", Type("tag_u64_bin"));
    }

    [Fact]
    public void A_null_inside_a_non_nullable_struct_child_is_a_schema_error_naming_it()
    {
        var type = new StructType([new Field("must", Int32Type.Default, false)]);
        var batch = Single("s", type, true, [new object?[] { 1 }, new object?[] { null }]);

        var error = Assert.Throws<LanceSchemaException>(() => RoundTrip(batch));

        Assert.Contains("must", error.Message);
    }
    [Fact]
    public void A_sparse_list_column_of_mostly_empty_lists_is_written_and_read_back()
    {
        var type = new ListType(new Field("item", Int64Type.Default, true));
        var values = Enumerable.Range(0, 60_000).Select(i => i % 40 == 0 ? new object?[] { (long)i } : i % 7 == 0 ? null : (object?)System.Array.Empty<object?>()).ToList();
        var batch = Single("sparse", type, true, values);

        var (read, _) = RoundTrip(batch);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
    }
    [Fact]
    public void A_list_inside_a_null_struct_reads_back_null_and_apart_from_empty_and_null_lists()
    {
        var type = new StructType([new Field("tags", new ListType(new Field("item", StringType.Default, true)), true), new Field("k", Int8Type.Default, true)]);
        object?[] values =
        [
            new object?[] { new object?[] { "a", null }, (sbyte)1 },
            null,
            new object?[] { null, null },
            new object?[] { System.Array.Empty<object?>(), (sbyte)4 },
            null,
        ];
        var batch = Single("holder", type, true, values);

        var (read, _) = RoundTrip(batch);

        Assert.Equal(
            ["{\"tags\":[\"a\",null],\"k\":1}", null, "{\"tags\":null,\"k\":null}", "{\"tags\":[],\"k\":4}", null],
            Enumerable.Range(0, 5).Select(i => ArrowValues.Json(read.Column(0), i)?.ToJsonString()));
    }
    [Fact]
    public void Long_strings_in_lists_go_to_full_zip_pages_with_control_words()
    {
        var type = new ListType(new Field("item", StringType.Default, true));
        var values = Enumerable.Range(0, 50).Select(i => i % 8 == 7 ? null : (object?)Enumerable.Range(0, i % 3).Select(k => k == 1 && i % 2 == 1 ? null : (object?)new string('x', 300 + i)).ToArray()).ToList();
        var batch = Single("essays", type, true, values);

        var (read, reader) = RoundTrip(batch);

        Assert.Equal(ArrowValues.Rows(batch), ArrowValues.Rows(read));
        Assert.StartsWith("FullZip(Variable", reader.DescribePages(reader.Schema.Fields[0].Children[0])[0], StringComparison.Ordinal);
    }
}
