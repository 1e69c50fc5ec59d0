using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

public class DataFileRoundTripTests
{
    private static (RecordBatch Batch, DataFileReader Reader, DataFileInfo Info) RoundTrip(
        Schema schema, IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null)
    {
        var lance = LanceSchema.FromArrow(schema);
        using var stream = new MemoryStream();
        var info = DataFileWriter.Write(stream, lance, batches, options);
        var reader = DataFileReader.FromBytes(stream.ToArray());
        return (reader.Read(), reader, info);
    }

    private static (RecordBatch Batch, DataFileReader Reader, DataFileInfo Info) RoundTrip(Field field, IArrowArray array, DataFileWriterOptions? options = null)
    {
        var schema = new Schema([field], null);
        return RoundTrip(schema, [new RecordBatch(schema, [array], array.Length)], options);
    }

    private static IArrowArray Column(string type, int rows, bool nulls) => type switch
    {
        "int32" => Build(new Int32Array.Builder(), rows, nulls, (b, i) => b.Append(i * 7 - 3)),
        "int64" => Build(new Int64Array.Builder(), rows, nulls, (b, i) => b.Append(i * 1_000_000_007L)),
        "float" => Build(new FloatArray.Builder(), rows, nulls, (b, i) => b.Append(i * 0.25f)),
        "double" => Build(new DoubleArray.Builder(), rows, nulls, (b, i) => b.Append(i / 3.0)),
        "bool" => Build(new BooleanArray.Builder(), rows, nulls, (b, i) => b.Append(i % 3 == 1)),
        "utf8" => Build(new StringArray.Builder(), rows, nulls, (b, i) => b.Append(i % 5 == 0 ? "" : "value " + i)),
        "int8" => Build(new Int8Array.Builder(), rows, nulls, (b, i) => b.Append((sbyte)(i % 200 - 100))),
        "int16" => Build(new Int16Array.Builder(), rows, nulls, (b, i) => b.Append((short)(i - 500))),
        "uint8" => Build(new UInt8Array.Builder(), rows, nulls, (b, i) => b.Append((byte)i)),
        "uint16" => Build(new UInt16Array.Builder(), rows, nulls, (b, i) => b.Append((ushort)i)),
        "uint32" => Build(new UInt32Array.Builder(), rows, nulls, (b, i) => b.Append((uint)i * 3)),
        "uint64" => Build(new UInt64Array.Builder(), rows, nulls, (b, i) => b.Append(ulong.MaxValue - (ulong)i)),
        "large_utf8" => Build(new LargeStringArray.Builder(), rows, nulls, (b, i) => b.Append("large " + i)),
        "binary" => Build(new BinaryArray.Builder(), rows, nulls, (b, i) => b.Append(new[] { (byte)i, (byte)(i >> 8) }.AsSpan())),
        "vector8" => Vectors(rows, 8, nulls),
        "vector384" => Vectors(rows, 384, nulls),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static IArrowArray Build<TBuilder>(TBuilder builder, int rows, bool nulls, Action<TBuilder, int> append)
        where TBuilder : IArrowArrayBuilder<IArrowArray, TBuilder>
    {
        for (int i = 0; i < rows; i++)
        {
            if (nulls && i % 4 == 1)
            {
                builder.AppendNull();
            }
            else
            {
                append(builder, i);
            }
        }

        return builder.Build(default);
    }

    private static FixedSizeListArray Vectors(int rows, int dimension, bool nulls)
    {
        var builder = new FixedSizeListArray.Builder(FloatType.Default, dimension);
        var items = (FloatArray.Builder)builder.ValueBuilder;
        for (int i = 0; i < rows; i++)
        {
            if (nulls && i % 4 == 1)
            {
                builder.AppendNull();
                continue;
            }

            builder.Append();
            for (int k = 0; k < dimension; k++)
            {
                items.Append(i + (k * 0.5f));
            }
        }

        return builder.Build();
    }

    private static IArrowType ArrowType(IArrowArray array) => array.Data.DataType;

    private static void AssertSameValues(IArrowArray expected, IArrowArray actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected.NullCount, actual.NullCount);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected.IsNull(i), actual.IsNull(i));
            if (!expected.IsNull(i))
            {
                Assert.Equal(Value(expected, i), Value(actual, i));
            }
        }
    }

    private static object? Value(IArrowArray array, int i) => array switch
    {
        StringArray s => s.GetString(i),
        LargeStringArray s => s.GetString(i),
        BinaryArray b => Convert.ToHexString(b.GetBytes(i)),
        BooleanArray b => b.GetValue(i),
        FixedSizeListArray l => string.Join(",", ((FloatArray)l.Values).Values.Slice((l.Offset + i) * ((FixedSizeListType)l.Data.DataType).ListSize, ((FixedSizeListType)l.Data.DataType).ListSize).ToArray()),
        Int8Array a => a.GetValue(i),
        Int16Array a => a.GetValue(i),
        Int32Array a => a.GetValue(i),
        Int64Array a => a.GetValue(i),
        UInt8Array a => a.GetValue(i),
        UInt16Array a => a.GetValue(i),
        UInt32Array a => a.GetValue(i),
        UInt64Array a => a.GetValue(i),
        FloatArray a => a.GetValue(i),
        DoubleArray a => a.GetValue(i),
        _ => throw new NotSupportedException(array.GetType().Name),
    };

    public static TheoryData<string, bool> TypesWithAndWithoutNulls()
    {
        var data = new TheoryData<string, bool>();
        foreach (var type in new[] { "int32", "int64", "float", "double", "bool", "utf8", "vector8", "vector384", "int8", "int16", "uint8", "uint16", "uint32", "uint64", "large_utf8", "binary" })
        {
            data.Add(type, false);
            data.Add(type, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TypesWithAndWithoutNulls))]
    public void Every_supported_type_reads_back_equal(string type, bool nulls)
    {
        var array = Column(type, 10_000, nulls);

        var (batch, _, _) = RoundTrip(new Field("c", ArrowType(array), nullable: true), array);

        AssertSameValues(array, batch.Column(0));
    }

    [Theory]
    [MemberData(nameof(TypesWithAndWithoutNulls))]
    public void Every_supported_type_spread_over_many_pages_reads_back_equal_when_its_pages_are_decoded_in_parallel(string type, bool nulls)
    {
        // 999 rows a page at most: page boundaries fall inside bytes of the validity and bool buffers.
        var array = Column(type, 10_000, nulls);
        var lance = LanceSchema.FromArrow(new Schema([new Field("c", ArrowType(array), nullable: true)], null));
        using var stream = new MemoryStream();
        DataFileWriter.Write(stream, lance, [new RecordBatch(lance.ToArrow(), [array], array.Length)], new DataFileWriterOptions { MaxPageRows = 999, MaxPageBytes = 16 << 10 });
        using var reader = DataFileReader.FromBytes(stream.ToArray());
        reader.ParallelDecodeMinBytes = 0;

        var read = reader.Read();

        Assert.True(reader.DescribePages(reader.Schema.Fields[0]).Count >= 11);
        AssertSameValues(array, read.Column(0));
    }

    [Theory]
    [InlineData("int64", "MiniBlock(Flat(64))")]
    [InlineData("float", "MiniBlock(Flat(32))")]
    [InlineData("bool", "MiniBlock(Flat(1))")]
    [InlineData("utf8", "MiniBlock(Variable(Flat(32)))")]
    [InlineData("large_utf8", "MiniBlock(Variable(Flat(64)))")]
    [InlineData("vector8", "MiniBlock(FixedSizeList(8, Flat(32)))")]
    [InlineData("vector384", "FullZip(FixedSizeList(384, Flat(32)))")]
    public void Narrow_values_use_mini_block_and_vectors_of_256_bytes_or_more_use_full_zip(string type, string expected)
    {
        var array = Column(type, 100, nulls: false);

        var (_, reader, _) = RoundTrip(new Field("c", ArrowType(array), nullable: true), array);

        Assert.Equal([expected], reader.DescribePages(reader.Schema.Fields[0]));
    }

    [Fact]
    public void Pages_with_nulls_carry_definition_levels_and_pages_without_do_not()
    {
        var array = Column("int32", 300, nulls: true);
        var allValid = Column("int32", 300, nulls: false);
        var schema = new Schema([new Field("a", Int32Type.Default, true), new Field("b", Int32Type.Default, true)], null);

        var (_, reader, _) = RoundTrip(schema, [new RecordBatch(schema, [array, allValid], 300)]);

        Assert.Equal(["MiniBlock(Flat(32), nulls)"], reader.DescribePages(reader.Schema.Fields[0]));
        Assert.Equal(["MiniBlock(Flat(32))"], reader.DescribePages(reader.Schema.Fields[1]));
    }

    [Fact]
    public void Long_strings_use_full_zip_and_keep_nulls_and_empty_strings()
    {
        var builder = new StringArray.Builder();
        for (int i = 0; i < 500; i++)
        {
            _ = i % 7 == 0 ? builder.AppendNull() : builder.Append(i % 11 == 0 ? "" : new string((char)('a' + (i % 26)), 200 + i));
        }

        var array = builder.Build();

        var (batch, reader, _) = RoundTrip(new Field("text", StringType.Default, true), array);

        AssertSameValues(array, batch.Column(0));
        Assert.Equal(["FullZip(Variable(Flat(32)), nulls)"], reader.DescribePages(reader.Schema.Fields[0]));
    }

    [Fact]
    public void Empty_strings_and_nulls_stay_distinct()
    {
        var array = new StringArray.Builder().Append("").AppendNull().Append("x").Append("").Build();

        var (batch, _, _) = RoundTrip(new Field("s", StringType.Default, true), array);

        var text = (StringArray)batch.Column(0);
        Assert.Equal(["", null, "x", ""], Enumerable.Range(0, 4).Select(i => text.GetString(i)));
    }

    [Fact]
    public void Three_hundred_thousand_int64_rows_span_several_pages()
    {
        var array = Column("int64", 300_000, nulls: false);

        var (batch, reader, info) = RoundTrip(new Field("n", Int64Type.Default, false), array);

        AssertSameValues(array, batch.Column(0));
        Assert.True(reader.DescribePages(reader.Schema.Fields[0]).Count > 1);
        Assert.Equal(300_000, info.RowCount);
    }

    [Fact]
    public void Five_thousand_384_dimension_vectors_with_small_pages_span_several_full_zip_pages()
    {
        var array = Column("vector384", 5_000, nulls: true);

        var (batch, reader, _) = RoundTrip(
            new Field("v", ArrowType(array), true), array, new DataFileWriterOptions { MaxPageBytes = 1 << 20 });

        AssertSameValues(array, batch.Column(0));
        Assert.All(reader.DescribePages(reader.Schema.Fields[0]), page => Assert.StartsWith("FullZip(FixedSizeList(384, Flat(32))", page));
        Assert.True(reader.DescribePages(reader.Schema.Fields[0]).Count > 1);
    }

    [Fact]
    public void Rows_from_several_batches_including_empty_ones_are_concatenated_in_order()
    {
        var schema = new Schema([new Field("n", Int32Type.Default, true), new Field("s", StringType.Default, true)], null);
        RecordBatch Make(int start, int count) => new(schema,
            [
                new Int32Array.Builder().AppendRange(Enumerable.Range(start, count)).Build(),
                new StringArray.Builder().AppendRange(Enumerable.Range(start, count).Select(i => "s" + i)).Build(),
            ], count);

        var (batch, _, info) = RoundTrip(schema, [Make(0, 3), Make(3, 0), Make(3, 5000)], new DataFileWriterOptions { MaxPageRows = 1000 });

        Assert.Equal(5003, info.RowCount);
        Assert.Equal(Enumerable.Range(0, 5003).Select(i => (int?)i), (Int32Array)batch.Column(0));
        Assert.Equal("s5002", ((StringArray)batch.Column(1)).GetString(5002));
    }

    [Fact]
    public void Sliced_arrays_are_written_from_their_offset()
    {
        var full = Column("utf8", 100, nulls: true);
        var slice = ArrowArrayFactory.Slice(full, 37, 20);
        var vectors = ArrowArrayFactory.Slice(Column("vector8", 100, nulls: true), 37, 20);
        var schema = new Schema([new Field("s", StringType.Default, true), new Field("v", ArrowType(vectors), true)], null);

        var (batch, _, _) = RoundTrip(schema, [new RecordBatch(schema, [slice, vectors], 20)]);

        AssertSameValues(slice, batch.Column(0));
        AssertSameValues(vectors, batch.Column(1));
    }

    [Fact]
    public void A_file_with_no_rows_reads_back_as_an_empty_batch()
    {
        var schema = new Schema([new Field("n", Int64Type.Default, false), new Field("s", StringType.Default, true)], null);

        var (batch, _, info) = RoundTrip(schema, []);

        Assert.Equal(0, info.RowCount);
        Assert.Equal(0, batch.Length);
        Assert.Equal(["n", "s"], batch.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public void Info_lists_field_ids_column_indices_and_the_file_size()
    {
        var schema = new Schema([new Field("a", Int64Type.Default, false), new Field("b", StringType.Default, true)], null);
        var lance = LanceSchema.FromArrow(schema);
        using var stream = new MemoryStream();

        var info = DataFileWriter.Write(stream, lance, [new RecordBatch(schema, [Column("int64", 3, false), Column("utf8", 3, false)], 3)]);

        Assert.Equal([0, 1], info.FieldIds);
        Assert.Equal([0, 1], info.ColumnIndices);
        Assert.Equal(stream.Length, info.BytesWritten);
        Assert.Equal("LANC", Encoding.ASCII.GetString(stream.ToArray()[^4..]));
    }

    [Fact]
    public void A_null_in_a_non_nullable_column_is_a_schema_error()
    {
        var schema = new Schema([new Field("n", Int32Type.Default, true)], null);
        var lance = new LanceSchema([new LanceField(0, -1, "n", "int32", nullable: false)]);
        var batch = new RecordBatch(schema, [Column("int32", 10, nulls: true)], 10);

        var error = Assert.Throws<LanceSchemaException>(() => DataFileWriter.Write(new MemoryStream(), lance, [batch]));

        Assert.Contains("'n'", error.Message);
    }

    [Fact]
    public void A_batch_missing_a_schema_column_is_a_schema_error()
    {
        var lance = new LanceSchema([new LanceField(0, -1, "missing", "int32", nullable: true)]);
        var schema = new Schema([new Field("n", Int32Type.Default, true)], null);
        var batch = new RecordBatch(schema, [Column("int32", 1, false)], 1);

        var error = Assert.Throws<LanceSchemaException>(() => DataFileWriter.Write(new MemoryStream(), lance, [batch]));

        Assert.Contains("'missing'", error.Message);
    }

    [Fact]
    public void A_column_of_another_type_than_the_schema_is_a_schema_error()
    {
        var lance = new LanceSchema([new LanceField(0, -1, "n", "int64", nullable: true)]);
        var schema = new Schema([new Field("n", Int32Type.Default, true)], null);
        var batch = new RecordBatch(schema, [Column("int32", 1, false)], 1);

        Assert.Throws<LanceSchemaException>(() => DataFileWriter.Write(new MemoryStream(), lance, [batch]));
    }

    [Fact]
    public void A_nullable_field_missing_from_the_file_reads_as_nulls()
    {
        var schema = new Schema([new Field("a", Int32Type.Default, true)], null);
        var (_, reader, _) = RoundTrip(schema, [new RecordBatch(schema, [Column("int32", 5, false)], 5)]);
        var wider = new LanceSchema([reader.Schema.Fields[0], new LanceField(1, -1, "added", "string", nullable: true)]);

        var batch = reader.Read(["added"], wider);

        Assert.Equal(5, batch.Column(0).NullCount);
    }
}
