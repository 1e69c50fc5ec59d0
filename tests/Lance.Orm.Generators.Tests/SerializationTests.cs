using Apache.Arrow;
using Lance.Orm.Serialization;

namespace Lance.Orm.Generators.Tests;

/// <summary>The runtime column writers and readers that generated code calls, on their own.</summary>
public sealed class SerializationTests
{
    [Fact]
    public void String_writer_grows_its_buffer_for_long_multibyte_values()
    {
        string?[] values = [new string('é', 10_000), null, "", "日本語テキスト", new string('x', 70_000)];
        var writer = new StringColumnWriter(values.Length, nullable: true, "M", "S", "s");
        foreach (var value in values)
        {
            writer.Append(value);
        }

        var batch = new RecordBatch(new Schema([new Field("s", Apache.Arrow.Types.StringType.Default, true)], null), [writer.Build()], values.Length);
        var reader = new StringColumnReader(batch, "s", "M", "S");

        var read = new string?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            read[i] = reader.GetNullable(i, "fallback");
        }

        Assert.Equal(values, read);
        Assert.Equal(1, batch.Column(0).NullCount);
    }

    [Fact]
    public void Columns_without_nulls_carry_no_validity_bitmap()
    {
        var writer = new PrimitiveColumnWriter<long>(3);
        writer.Append(1L);
        writer.Append(2L);
        writer.Append(3L);

        var array = (Int64Array)writer.Build();

        Assert.Equal(0, array.NullCount);
        Assert.True(array.NullBitmapBuffer.IsEmpty);
        Assert.Equal([1L, 2L, 3L], array.Values.ToArray());
    }

    [Fact]
    public void Boolean_writer_packs_bits_and_nulls()
    {
        var writer = new BooleanColumnWriter(10);
        for (var i = 0; i < 10; i++)
        {
            writer.Append(i == 4 ? null : i % 3 == 0);
        }

        var array = (BooleanArray)writer.Build();

        Assert.Equal(1, array.NullCount);
        Assert.Equal(
            [true, false, false, true, null, false, true, false, false, true],
            Enumerable.Range(0, 10).Select(i => array.GetValue(i)));
    }

    [Fact]
    public void Vector_writer_stores_null_and_empty_vectors_as_null_slots()
    {
        var writer = new VectorColumnWriter<float>(3, 2, "M", "V", "v");
        writer.Append([1f, 2f]);
        writer.Append(null);
        writer.Append([]);

        var array = (FixedSizeListArray)writer.Build();

        Assert.Equal(2, array.NullCount);
        Assert.Equal([1f, 2f, 0f, 0f, 0f, 0f], ((FloatArray)array.Values).Values.ToArray());
    }

    [Fact]
    public void Readers_of_absent_columns_return_the_fallback()
    {
        var batch = new RecordBatch(new Schema([], null), [], 2);

        Assert.Equal(42L, new PrimitiveColumnReader<long>(batch, "id", "M", "Id").Get(0, 42L));
        Assert.False(new BooleanColumnReader(batch, "b", "M", "B").IsPresent);
        Assert.Equal("x", new StringColumnReader(batch, "s", "M", "S").Get(1, "x"));
        Assert.Null(new VectorColumnReader<float>(batch, "v", 4, "M", "V").GetNullable(0, null));
    }
}
