using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Foreign;

/// <summary>The engine reads files LanceDB 0.31.0 wrote (<see cref="Seeds"/>) to the values LanceDB was given.</summary>
public sealed class LanceDbSeedTests
{
    public static TheoryData<string, string> Columns => new()
    {
        { "2_1_i64.lance", "i64" },
        { "2_2_i64.lance", "i64" },
        { "2_1_i32_runs.lance", "i32_runs" },
        { "2_2_i32_const.lance", "i32_const" },
        { "2_1_s_low.lance", "s_low" },
        { "2_2_s_low.lance", "s_low" },
        { "2_0_s_low.lance", "s_low" },
        { "2_1_s_long.lance", "s_long" },
        { "2_0_s.lance", "s" },
        { "2_1_b.lance", "b" },
        { "2_0_l_i32.lance", "l_i32" },
        { "2_0_l_struct.lance", "l_struct" },
        { "2_0_st.lance", "st" },
        { "2_0_dict_s.lance", "dict_s" },
    };

    [Theory]
    [MemberData(nameof(Columns))]
    public void A_LanceDB_data_file_reads_to_the_values_LanceDB_was_given(string seed, string column)
    {
        using var reader = DataFileReader.FromBytes(Seeds.Bytes(seed), seed);
        var batch = reader.Read();

        Assert.Equal(Seeds.Rows, batch.Length);
        var ids = (Int64Array)batch.Column("id");
        var values = batch.Column(column);
        Assert.Equal(Enumerable.Range(0, Seeds.Rows).Select(r => (long?)(Seeds.FirstId(seed) + r)), ids);
        for (int row = 0; row < batch.Length; row++)
        {
            int id = (int)ids.GetValue(row)!.Value;
            Assert.True(Equals(Expected(column, id), Actual(values, row)), $"{seed} id {id}: expected {Expected(column, id)}, read {Actual(values, row)}");
        }
    }

    [Fact]
    public void A_format_2_0_vector_file_reads_its_nulls_and_dimension()
    {
        using var reader = DataFileReader.FromBytes(Seeds.Bytes("2_0_v_f32.lance"), "2_0_v_f32.lance");
        var vectors = (FixedSizeListArray)reader.Read().Column("v_f32");
        int first = Seeds.FirstId("2_0_v_f32.lance");

        Assert.Equal(Enumerable.Range(0, Seeds.Rows).Select(r => Seeds.Null(first + r, 17)), Enumerable.Range(0, Seeds.Rows).Select(vectors.IsNull));
        Assert.Equal(Seeds.Rows * 8, vectors.Values.Length);
        Assert.All(((FloatArray)vectors.Values).Values.ToArray(), v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void A_ZSTD_compressed_Arrow_deletion_file_lists_the_deleted_rows()
    {
        var deleted = DeletionFileReader.Read(Seeds.File("deletion-zstd.arrow"));

        // LanceDB ran: delete 'id % 7 = 3 OR id < 5' on ids 0..1999.
        Assert.Equal(Enumerable.Range(0, 2000).Where(i => i % 7 == 3 || i < 5), deleted);
    }

    [Fact]
    public void A_Roaring_deletion_file_lists_the_deleted_rows()
    {
        var deleted = DeletionFileReader.Read(Seeds.File("deletion-roaring.bin"));

        // LanceDB ran: delete 'id % 2 = 0 OR id > 11990' on ids 0..11999.
        Assert.Equal(Enumerable.Range(0, 12000).Where(i => i % 2 == 0 || i > 11990), deleted);
    }

    [Fact]
    public void A_manifest_with_index_and_transaction_sections_keeps_its_index_section_when_rewritten()
    {
        var manifest = ManifestCodec.Decode(Seeds.Bytes("index-and-transaction.manifest"));
        var index = Assert.Single(manifest.Indices);
        Assert.True(index.IsForeign);

        var again = ManifestCodec.Decode(ManifestCodec.Encode(manifest));

        Assert.Equal(index.Original, Assert.Single(again.Indices).Original);
        Assert.Equal(3UL, again.Version);
        Assert.Equal("2.1", again.DataFormatVersion);
        Assert.Equal([3000UL, 200UL], again.Fragments.Select(f => f.PhysicalRows));
    }

    [Fact]
    public void A_V1_named_manifest_with_a_deletion_file_decodes()
    {
        var manifest = ManifestCodec.Decode(Seeds.Bytes("v1-deletions.manifest"));

        Assert.Equal(3UL, manifest.Version);
        Assert.Contains(manifest.Fragments, f => f.DeletionFile is { NumDeletedRows: > 0 });
    }

    private static object? Actual(IArrowArray array, int row) => array.IsNull(row) ? null : array switch
    {
        Int64Array a => a.GetValue(row),
        Int32Array a => (long?)a.GetValue(row),
        StringArray a => a.GetString(row),
        BooleanArray a => a.GetValue(row),
        DoubleArray a => a.GetValue(row)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        DictionaryArray a => Actual(a.Dictionary, ((Int32Array)a.Indices).GetValue(row)!.Value),
        ListArray a => "[" + string.Join(",", Enumerable.Range(a.ValueOffsets[row], a.GetValueLength(row)).Select(i => Actual(a.Values, i) ?? "null")) + "]",
        StructArray a => "{" + string.Join(",", ((Apache.Arrow.Types.StructType)a.Data.DataType).Fields.Select((f, k) => $"{f.Name}={Actual(a.Fields[k], row) ?? "null"}")) + "}",
        _ => throw new NotSupportedException(array.GetType().Name),
    };

    // make-corpus.mjs's generators for these columns.
    private static object? Expected(string column, int i) => column switch
    {
        "i64" => Seeds.Null(i, 7) ? null : (long?)(i * 1000003L - 5),
        "i32_runs" => (long?)(i / 500),
        "i32_const" => (long?)42,
        "s_low" => Seeds.Null(i, 9) ? null : Seeds.Words[i % 4],
        "s_long" => Seeds.Null(i, 7) ? null : string.Concat(Enumerable.Repeat(Seeds.Words[i % 10] + " ", 20 + (i % 50))) + i,
        "s" => Seeds.Null(i, 7) ? null : i % 13 == 0 ? "" : $"{Seeds.Words[i % 10]}-{i}",
        "b" => Seeds.Null(i, 7) ? null : (bool?)(i % 3 == 0),
        "dict_s" => Seeds.Null(i, 7) ? null : Seeds.Words[i % 6],
        "l_i32" => Seeds.Null(i, 7) ? null : "[" + string.Join(",", Enumerable.Range(0, i % 4).Select(j => j == 1 && i % 5 == 0 ? "null" : $"{i + j}")) + "]",
        "l_struct" => Seeds.Null(i, 7) ? null : "[" + string.Join(",", Enumerable.Range(0, i % 3).Select(j => $"{{x={(i * 10) + j},y=y{j}}}")) + "]",
        // Format 2.0 keeps no struct validity: a null struct reads as a struct of nulls.
        "st" => Seeds.Null(i, 7) ? "{a=null,inner={b=null,c=null}}"
            : i % 5 == 0 ? $"{{a={i},inner={{b=null,c=null}}}}"
            : $"{{a={i},inner={{b=b{i},c={(i / 2.0).ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}}",
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };
}
