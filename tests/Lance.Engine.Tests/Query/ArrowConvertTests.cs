using System.Numerics;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using CsCheck;
using Lance.Engine.Arrow;

namespace Lance.Engine.Tests.Query;

/// <summary>
/// Conversions between layouts of the same values (32-bit and 64-bit offsets, a dictionary of strings, timestamp units),
/// on generated arrays: values, nulls and slices survive, and a value that would change is refused.
/// </summary>
public sealed class ArrowConvertTests : IDisposable
{
    private static readonly Gen<string?[]> Texts = Gen.String.Null().Array[0, 60];

    private readonly string _root = Directory.CreateTempSubdirectory("arrow-convert-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Strings_and_binaries_change_offset_width_both_ways_keeping_values_nulls_and_slices()
    {
        Gen.Select(Texts, Gen.Int[0, 10], Gen.Int[0, 10]).Sample(
            (texts, skip, drop) =>
            {
                var large = new LargeStringArray.Builder();
                var small = new StringArray.Builder();
                foreach (var text in texts)
                {
                    if (text is null) { large.AppendNull(); small.AppendNull(); } else { large.Append(text); small.Append(text); }
                }

                var start = Math.Min(skip, texts.Length);
                var length = Math.Max(0, texts.Length - start - drop);
                var expected = texts.Skip(start).Take(length).ToArray();
                var fromLarge = (StringArray)ArrowArrays.Convert(Slice(large.Build(), start, length), StringType.Default);
                var fromSmall = (LargeStringArray)ArrowArrays.Convert(Slice(small.Build(), start, length), LargeStringType.Default);
                Assert.Equal(expected, Enumerable.Range(0, length).Select(i => fromLarge.IsNull(i) ? null : fromLarge.GetString(i)));
                Assert.Equal(expected, Enumerable.Range(0, length).Select(i => fromSmall.IsNull(i) ? null : fromSmall.GetString(i)));

                var bytes = (BinaryArray)ArrowArrays.Convert(BinaryOf(expected), BinaryType.Default);
                Assert.Equal(expected.Select(t => t is null ? null : System.Text.Encoding.UTF8.GetBytes(t)), Enumerable.Range(0, length).Select(i => bytes.IsNull(i) ? null : bytes.GetBytes(i).ToArray()));
            },
            iter: 300);
    }

    [Fact]
    public void Lists_of_strings_change_offset_width_at_every_level()
    {
        Gen.Select(Texts.Null().Array[0, 20], Gen.Int[0, 5]).Sample(
            (lists, skip) =>
            {
                var builder = new ListArray.Builder(StringType.Default);
                var items = (StringArray.Builder)builder.ValueBuilder;
                foreach (var list in lists)
                {
                    if (list is null)
                    {
                        builder.AppendNull();
                        continue;
                    }

                    builder.Append();
                    foreach (var text in list)
                    {
                        if (text is null) items.AppendNull(); else items.Append(text);
                    }
                }

                var start = Math.Min(skip, lists.Length);
                var largeType = new LargeListType(new Field("item", LargeStringType.Default, true));
                var large = (LargeListArray)ArrowArrays.Convert(Slice(builder.Build(), start, lists.Length - start), largeType);
                var back = (ListArray)ArrowArrays.Convert(large, new ListType(new Field("item", StringType.Default, true)));
                for (var i = 0; i < lists.Length - start; i++)
                {
                    var want = lists[start + i];
                    Assert.Equal(want is null, back.IsNull(i));
                    if (want is not null)
                    {
                        var slice = (StringArray)back.GetSlicedValues(i);
                        Assert.Equal(want, Enumerable.Range(0, slice.Length).Select(j => slice.IsNull(j) ? null : slice.GetString(j)));
                    }
                }
            },
            iter: 200);
    }

    [Fact]
    public void A_dictionary_of_strings_decodes_to_the_strings_it_stands_for_with_any_index_type()
    {
        Gen.Select(Gen.String.Array[1, 8], Gen.Int[0, 40], Gen.Int[0, 3]).Sample(
            (values, count, indexKind) =>
            {
                var random = new Random(count * 31 + values.Length);
                var keys = Enumerable.Range(0, count).Select(_ => random.Next(5) == 0 ? (int?)null : random.Next(values.Length)).ToArray();
                IArrowArray indices = indexKind switch
                {
                    0 => Build(new Int8Array.Builder(), keys, k => (sbyte)k),
                    1 => Build(new Int32Array.Builder(), keys, k => k),
                    2 => Build(new UInt16Array.Builder(), keys, k => (ushort)k),
                    _ => Build(new Int64Array.Builder(), keys, k => (long)k),
                };
                var dictionary = new DictionaryArray(new DictionaryType(indices.Data.DataType, StringType.Default, false), indices, new StringArray.Builder().AppendRange(values).Build());
                Assert.True(ArrowArrays.CanConvert(dictionary.Data.DataType, LargeStringType.Default));
                var plain = (LargeStringArray)ArrowArrays.Convert(dictionary, LargeStringType.Default);
                Assert.Equal(keys.Select(k => k is { } key ? values[key] : null), Enumerable.Range(0, count).Select(i => plain.IsNull(i) ? null : plain.GetString(i)));
            },
            iter: 200);
    }

    [Fact]
    public void Timestamps_go_to_a_finer_unit_exactly_and_to_a_coarser_one_only_when_nothing_is_lost()
    {
        var millis = new TimestampType(TimeUnit.Millisecond, (string?)null);
        var micros = new TimestampType(TimeUnit.Microsecond, (string?)null);
        var seconds = new TimestampType(TimeUnit.Second, "UTC");
        Gen.Select(Gen.Select(Gen.Long[-4_000_000_000_000L, 4_000_000_000_000L], Gen.Int[0, 4], (v, n) => n == 0 ? (long?)null : v).Array[0, 50], Gen.Bool).Sample(
            (values, inSeconds) =>
            {
                var (coarse, fine) = inSeconds ? (seconds, new TimestampType(TimeUnit.Microsecond, "UTC")) : (millis, micros);
                values = inSeconds ? [.. values.Select(v => v / 1000)] : values;
                var array = Timestamps(coarse, values);
                var finer = (TimestampArray)ArrowArrays.Convert(array, fine);
                var factor = inSeconds ? 1_000_000 : 1000;
                Assert.Equal(values.Select(v => v * factor).ToArray(), Enumerable.Range(0, values.Length).Select(i => finer.IsNull(i) ? null : (long?)Raw(finer, i)).ToArray());
                var back = (TimestampArray)ArrowArrays.Convert(finer, coarse);
                Assert.Equal(values, Enumerable.Range(0, values.Length).Select(i => back.IsNull(i) ? null : (long?)Raw(back, i)).ToArray());
            },
            iter: 300);

        var fine = Assert.Throws<LanceSchemaException>(() => ArrowArrays.Convert(Timestamps(micros, [1_000_001L]), millis));
        Assert.Contains("finer than a millisecond", fine.Message, StringComparison.Ordinal);
        Assert.Throws<LanceSchemaException>(() => ArrowArrays.Convert(Timestamps(new TimestampType(TimeUnit.Second, (string?)null), [long.MaxValue / 10]), micros));
        // A nanosecond column is not read as microseconds (that would drop digits), nor is a zone changed.
        Assert.False(ArrowArrays.CanConvert(new TimestampType(TimeUnit.Nanosecond, (string?)null), micros));
        Assert.False(ArrowArrays.CanConvert(millis, new TimestampType(TimeUnit.Microsecond, "UTC")));
    }

    [Fact]
    public void Values_past_what_32_bit_offsets_address_are_refused()
    {
        var offsets = new long[] { 0, 3_000_000_000L };
        var data = new ArrayData(LargeStringType.Default, 1, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(MemoryMarshal.AsBytes(offsets.AsSpan()).ToArray()), ArrowBuffer.Empty]);
        var ex = Assert.Throws<LanceSchemaException>(() => ArrowArrays.Convert(new LargeStringArray(data), StringType.Default));
        Assert.Contains("smaller batches", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Appends_cast_rows_to_the_tables_layout_and_refuse_a_lossy_time_naming_the_column()
    {
        var millis = new TimestampType(TimeUnit.Millisecond, (string?)null);
        var micros = new TimestampType(TimeUnit.Microsecond, (string?)null);
        var path = Path.Combine(_root, "t.lance");
        var dataset = await LanceDataset.CreateAsync(path, new Schema([new Field("name", LargeStringType.Default, true), new Field("at", millis, true)], null));
        var schema = new Schema([new Field("name", StringType.Default, true), new Field("at", micros, true)], null);
        await dataset.AppendAsync([new RecordBatch(schema, [new StringArray.Builder().Append("a").AppendNull().Build(), Timestamps(micros, [5_000L, null])], 2)]);

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.AppendAsync([new RecordBatch(schema, [new StringArray.Builder().Append("b").Build(), Timestamps(micros, [5_001L])], 1)]));
        Assert.Contains("'at'", ex.Message, StringComparison.Ordinal);

        var reopened = await LanceDataset.OpenAsync(path);
        Assert.Equal(2, reopened.CountRows());
        var rows = new List<(string?, long?)>();
        await foreach (var batch in reopened.ScanAsync(new ScanRequest()))
        {
            var names = (LargeStringArray)batch.Column(0);
            var times = (TimestampArray)batch.Column(1);
            rows.AddRange(Enumerable.Range(0, batch.Length).Select(i => (names.IsNull(i) ? null : names.GetString(i), times.IsNull(i) ? null : (long?)Raw(times, i))));
        }

        Assert.Equal([("a", 5L), (null, null)], rows);
    }

    private static IArrowArray Build<T, TArray, TBuilder>(PrimitiveArrayBuilder<T, TArray, TBuilder> builder, int?[] keys, Func<int, T> convert)
        where T : struct, INumber<T>
        where TArray : IArrowArray
        where TBuilder : class, IArrowArrayBuilder<TArray>
    {
        foreach (var key in keys)
        {
            if (key is { } k) builder.Append(convert(k)); else builder.AppendNull();
        }

        return builder.Build(null);
    }

    private static IArrowArray Slice(IArrowArray array, int offset, int length) => ArrowArrayFactory.BuildArray(array.Data.Slice(offset, length));

    private static LargeBinaryArray BinaryOf(string?[] texts)
    {
        var builder = new BinaryArray.Builder();
        foreach (var text in texts)
        {
            if (text is null) builder.AppendNull(); else builder.Append(System.Text.Encoding.UTF8.GetBytes(text).AsSpan());
        }

        return (LargeBinaryArray)ArrowArrays.Convert(builder.Build(), LargeBinaryType.Default);
    }

    private static TimestampArray Timestamps(TimestampType type, long?[] values)
    {
        var raw = values.Select(v => v ?? 0).ToArray();
        var validity = new byte[(values.Length + 7) / 8];
        var nulls = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is null) nulls++; else BitUtility.SetBit(validity, i);
        }

        return new TimestampArray(new ArrayData(type, values.Length, nulls, 0, [new ArrowBuffer(validity), new ArrowBuffer(MemoryMarshal.AsBytes(raw.AsSpan()).ToArray())]));
    }

    private static long Raw(TimestampArray array, int i) => array.Values[i];
}
