using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Foreign;

/// <summary>
/// The engine reads data files of the legacy (0.1) format that LanceDB 0.31.0 wrote for storage
/// version "legacy" (<see cref="Seeds"/>: 1,500 rows each, in two batches of 1,024 and 476) to the
/// values LanceDB was given, read as LanceDB reads them: the format keeps no validity, so a null
/// reads as what Lance wrote under it (zero, false, an empty list, the dictionary's first word), and
/// only an empty string or binary of a nullable field reads as null.
/// </summary>
public sealed class LegacySeedTests
{
    private const int Rows = 1500;

    private static RecordBatch Read(string seed)
    {
        using var reader = DataFileReader.FromBytes(Seeds.Bytes(seed), seed);
        Assert.True(reader.IsLegacy);
        return reader.Read();
    }

    private static List<int> Ids(RecordBatch batch) =>
        [.. ((Int64Array)batch.Column("id")).Values.ToArray().Select(v => (int)v)];

    [Fact]
    public void A_legacy_file_reads_its_two_batches_as_one_column_of_all_its_rows()
    {
        var batch = Read("legacy_b.lance");
        int first = Seeds.FirstId("legacy_b.lance");

        Assert.Equal(Rows, batch.Length);
        Assert.Equal(Enumerable.Range(first, Rows), Ids(batch));
    }

    [Fact]
    public void Legacy_bools_read_bit_for_bit_with_false_under_nulls()
    {
        var batch = Read("legacy_b.lance");
        var values = (BooleanArray)batch.Column("b");

        Assert.Equal(0, values.NullCount);
        Assert.Equal(Ids(batch).Select(i => !Seeds.Null(i, 7) && i % 3 == 0), Enumerable.Range(0, Rows).Select(r => values.GetValue(r)!.Value));
    }

    [Fact]
    public void A_legacy_dictionary_column_reads_its_keys_against_the_values_stored_once_in_the_file()
    {
        var batch = Read("legacy_dict_s.lance");
        var column = (DictionaryArray)batch.Column("dict_s");
        var words = (StringArray)column.Dictionary;

        Assert.Equal(Seeds.Words.Take(6), Enumerable.Range(0, words.Length).Select(k => words.GetString(k)));
        var keys = (Int32Array)column.Indices;
        // Under a null row LanceDB wrote key 0, so it reads as the first word.
        Assert.Equal(Ids(batch).Select(i => Seeds.Null(i, 7) ? 0 : i % 6), keys.Values.ToArray());
    }

    [Fact]
    public void A_legacy_list_of_structs_reads_its_offsets_items_and_their_fields()
    {
        var batch = Read("legacy_l_struct.lance");
        var lists = (ListArray)batch.Column("l_struct");
        var items = (StructArray)lists.Values;
        var x = (Int32Array)items.Fields[0];
        var y = (StringArray)items.Fields[1];
        var ids = Ids(batch);

        for (int row = 0; row < Rows; row++)
        {
            int i = ids[row];
            int count = Seeds.Null(i, 7) ? 0 : i % 3;
            Assert.Equal(count, lists.GetValueLength(row));
            for (int j = 0; j < count; j++)
            {
                int item = lists.ValueOffsets[row] + j;
                Assert.Equal(i * 10 + j, x.GetValue(item));
                Assert.Equal($"y{j}", y.GetString(item));
            }
        }
    }

    [Fact]
    public void A_legacy_struct_reads_its_children_with_empty_strings_as_nulls_and_zeros_under_nulls()
    {
        var batch = Read("legacy_st.lance");
        var st = (StructArray)batch.Column("st");
        var a = (Int32Array)st.Fields[0];
        var inner = (StructArray)st.Fields[1];
        var b = (StringArray)inner.Fields[0];
        var c = (DoubleArray)inner.Fields[1];
        var ids = Ids(batch);

        for (int row = 0; row < Rows; row++)
        {
            int i = ids[row];
            bool nullRow = Seeds.Null(i, 7);
            bool nullInner = nullRow || i % 5 == 0;
            Assert.False(st.IsNull(row));
            Assert.Equal(nullRow ? 0 : i, a.GetValue(row));
            Assert.Equal(nullInner ? null : $"b{i}", b.GetString(row));
            Assert.Equal(nullInner ? 0 : i / 2.0, c.GetValue(row));
        }
    }

    [Fact]
    public void A_legacy_vector_column_reads_every_item_with_zeros_under_null_vectors()
    {
        var batch = Read("legacy_v_f16.lance");
        var vectors = (FixedSizeListArray)batch.Column("v_f16");
        var items = (HalfFloatArray)vectors.Values;
        var ids = Ids(batch);

        Assert.Equal(Rows * 8, items.Length);
        for (int row = 0; row < Rows; row++)
        {
            int i = ids[row];
            for (int j = 0; j < 8; j++)
            {
                float expected = Seeds.Null(i, 17) ? 0 : (i + j) % 64 / 8f;
                Assert.Equal(expected, (float)items.GetValue(row * 8 + j)!.Value);
            }
        }
    }

    [Fact]
    public void A_legacy_file_describes_its_pages_by_legacy_encoding_and_batch_count()
    {
        using var reader = DataFileReader.FromBytes(Seeds.Bytes("legacy_dict_s.lance"), "legacy_dict_s.lance");

        Assert.Equal(["Legacy(Dictionary, 2 batches)"], reader.DescribePages(reader.Schema.FindField("dict_s")!));
        Assert.Equal(["Legacy(Plain, 2 batches)"], reader.DescribePages(reader.Schema.FindField("id")!));
    }

    [Fact]
    public void A_legacy_manifest_keeps_its_dictionary_values_when_rewritten()
    {
        var manifest = ManifestCodec.Decode(Seeds.Bytes("legacy-dictionary.manifest"), "legacy-dictionary.manifest");
        int dictionaryField = manifest.Schema.FindField("dict_s")!.Id;
        Assert.Equal("0.1", manifest.DataFormatVersion);
        Assert.Equal(Seeds.Words.Take(6), manifest.LegacyDictionaries[dictionaryField].Select(v => System.Text.Encoding.UTF8.GetString(v)));

        var bytes = ManifestCodec.Encode(manifest.CopyForNextVersion());
        var again = ManifestCodec.Decode(bytes);

        Assert.Equal(Seeds.Words.Take(6), again.LegacyDictionaries[dictionaryField].Select(v => System.Text.Encoding.UTF8.GetString(v)));
        Assert.Equal(manifest.Schema.AllFields.Select(f => f.ToString()), again.Schema.AllFields.Select(f => f.ToString()));
    }

    [Fact]
    public void A_legacy_manifest_records_lists_as_plain_as_Lance_writes_them()
    {
        var manifest = ManifestCodec.Decode(Seeds.Bytes("legacy-dictionary.manifest"));

        var fields = ManifestCodec.ToProto(manifest).Fields.ToDictionary(f => f.Name + "#" + f.Id, f => f.Encoding);

        var list = manifest.Schema.FindField("l_struct")!;
        Assert.Equal(Lance.Engine.Format.Protos.File.Encoding.Plain, fields[$"l_struct#{list.Id}"]);
        Assert.Equal(Lance.Engine.Format.Protos.File.Encoding.None, fields[$"item#{list.Children[0].Id}"]);
        Assert.Equal(Lance.Engine.Format.Protos.File.Encoding.Dictionary, fields[$"dict_s#{manifest.Schema.FindField("dict_s")!.Id}"]);
    }

    [Fact]
    public void A_legacy_manifest_whose_dictionary_values_are_unknown_is_not_written()
    {
        var manifest = ManifestCodec.Decode(Seeds.Bytes("legacy-dictionary.manifest"));
        manifest.LegacyDictionaries = new Dictionary<int, IReadOnlyList<byte[]>>();

        var error = Assert.Throws<LanceFormatException>(() => ManifestCodec.Encode(manifest));

        Assert.Contains("dict_s", error.Message);
    }
}
