using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

public class LanceSchemaTests
{
    [Fact]
    public void FromArrow_assigns_ids_from_zero_in_column_order_at_top_level()
    {
        var schema = LanceSchema.FromArrow(new Schema.Builder()
            .Field(new Field("a", Int64Type.Default, false))
            .Field(new Field("b", StringType.Default, true))
            .Build());

        Assert.Equal([(0, -1), (1, -1)], schema.AllFields.Select(f => (f.Id, f.ParentId)));
        Assert.Equal(1, schema.MaxFieldId);
    }

    [Theory]
    [InlineData("int32")]
    [InlineData("int64")]
    [InlineData("float")]
    [InlineData("double")]
    [InlineData("bool")]
    [InlineData("string")]
    [InlineData("fixed_size_list:float:384")]
    [InlineData("int8")]
    [InlineData("uint8")]
    [InlineData("int16")]
    [InlineData("uint16")]
    [InlineData("uint32")]
    [InlineData("uint64")]
    [InlineData("large_string")]
    [InlineData("binary")]
    [InlineData("large_binary")]
    public void Lance_type_strings_round_trip_through_arrow(string logicalType)
    {
        var arrowType = LanceLogicalTypes.TryGetArrowType(logicalType);

        Assert.NotNull(arrowType);
        Assert.Equal(logicalType, LanceLogicalTypes.TryGetLogicalType(arrowType));
    }

    [Fact]
    public void Vectors_read_back_as_fixed_size_lists_of_nullable_float_items_named_item()
    {
        var type = Assert.IsType<FixedSizeListType>(LanceLogicalTypes.TryGetArrowType("fixed_size_list:float:8"));

        Assert.Equal(8, type.ListSize);
        Assert.Equal("item", type.ValueField.Name);
        Assert.True(type.ValueField.IsNullable);
        Assert.IsType<FloatType>(type.ValueDataType);
    }

    [Fact]
    public void ToArrow_round_trips_fields_nullability_and_metadata()
    {
        var arrow = new Schema.Builder()
            .Field(new Field("id", Int64Type.Default, false))
            .Field(new Field("text", StringType.Default, true, [new("role", "source")]))
            .Field(new Field("vector", new FixedSizeListType(new Field("item", FloatType.Default, true), 4), true))
            .Metadata("embedding_functions", "[{\"name\":\"x\"}]")
            .Build();

        var back = LanceSchema.FromArrow(arrow).ToArrow();

        Assert.Equal(arrow.FieldsList.Select(f => (f.Name, f.DataType.TypeId, f.IsNullable)), back.FieldsList.Select(f => (f.Name, f.DataType.TypeId, f.IsNullable)));
        Assert.Equal("source", back.GetFieldByName("text").Metadata["role"]);
        Assert.Equal("[{\"name\":\"x\"}]", back.Metadata["embedding_functions"]);
    }

    [Fact]
    public void Proto_fields_round_trip_with_legacy_encodings_lance_expects()
    {
        var schema = LanceSchema.FromArrow(new Schema.Builder()
            .Field(new Field("n", Int32Type.Default, true))
            .Field(new Field("s", StringType.Default, true))
            .Metadata("k", "v")
            .Build());

        var proto = schema.ToProtoFields();
        var metadata = new Google.Protobuf.Collections.MapField<string, Google.Protobuf.ByteString>();
        schema.CopyMetadataTo(metadata);
        var back = LanceSchema.FromProto(proto, metadata);

        Assert.Equal(
            [Lance.Engine.Format.Protos.File.Encoding.Plain, Lance.Engine.Format.Protos.File.Encoding.VarBinary],
            proto.Select(p => p.Encoding));
        Assert.Equal(schema.Fields.Select(f => f.ToString()), back.Fields.Select(f => f.ToString()));
        Assert.Equal("v"u8.ToArray(), back.Metadata["k"]);
    }

    [Fact]
    public void Unsupported_arrow_type_is_a_schema_error_naming_the_column_and_type()
    {
        var arrow = new Schema.Builder().Field(new Field("when", new IntervalType(IntervalUnit.YearMonth), true)).Build();

        var error = Assert.Throws<LanceSchemaException>(() => LanceSchema.FromArrow(arrow));

        Assert.Contains("'when'", error.Message);
        Assert.Contains("interval", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_timestamp_whose_zone_is_an_offset_is_a_schema_error_naming_the_zone()
    {
        var arrow = new Schema.Builder().Field(new Field("when", new TimestampType(TimeUnit.Millisecond, "+05:00"), true)).Build();

        var error = Assert.Throws<LanceSchemaException>(() => LanceSchema.FromArrow(arrow));

        Assert.Contains("'when'", error.Message);
        Assert.Contains("'+05:00'", error.Message);
    }

    [Fact]
    public void Unknown_lance_type_is_a_format_error_when_converted_to_arrow()
    {
        var schema = new LanceSchema([new LanceField(0, -1, "x", "decimal:512:10:2", true)]);

        var error = Assert.Throws<LanceFormatException>(() => schema.ToArrow());

        Assert.Contains("decimal:512:10:2", error.Message);
    }
}
