using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;
using Lance.Engine.DataFiles.V20;

namespace Lance.Engine.Tests.Format;

/// <summary>
/// Vectors (fixed-size lists) whose items may be null, as LanceDB stores them: written in each file
/// format and read back with the same rows and the same items null, narrow vectors in mini-block
/// pages and wide ones in full-zip pages.
/// </summary>
public class VectorNullItemsTests
{
    public static TheoryData<string, int, bool> Cases()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (var version in new[] { "2.0", "2.1", "2.2" })
        {
            foreach (int dimension in new[] { 3, 8, 96 })
            {
                data.Add(version, dimension, false);
                data.Add(version, dimension, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vectors_with_null_items_read_back_with_the_same_items_null(string version, int dimension, bool nullRows)
    {
        var vectors = Vectors(700, dimension, nullRows);

        var read = (FixedSizeListArray)RoundTrip(version, vectors, new DataFileWriterOptions { MaxPageRows = 300 });

        AssertSame(vectors, read);
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("2.1")]
    [InlineData("2.2")]
    public void A_slice_of_vectors_with_null_items_is_written_from_its_offset(string version)
    {
        var vectors = (FixedSizeListArray)ArrowArrayFactory.Slice(Vectors(200, 5, nullRows: true), 37, 101);

        var read = (FixedSizeListArray)RoundTrip(version, vectors);

        AssertSame(vectors, read);
    }

    [Theory]
    [InlineData("2.1", 8, "MiniBlock(FixedSizeList(8, Flat(32)), nulls)")]
    [InlineData("2.1", 96, "FullZip(FixedSizeList(96, Flat(32)), nulls)")]
    public void Vectors_with_null_items_keep_the_layout_of_their_width(string version, int dimension, string expected)
    {
        var vectors = Vectors(100, dimension, nullRows: true);
        using var stream = new MemoryStream();
        var schema = Schema(vectors);
        DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), [new RecordBatch(schema, [vectors], vectors.Length)], Options(version, null));
        using var reader = DataFileReader.FromBytes(stream.ToArray());

        Assert.Equal([expected], reader.DescribePages(reader.Schema.Fields[0]));
    }

    // Every third row (from 1) null when asked; items null where (row + item) % 5 == 2.
    private static FixedSizeListArray Vectors(int rows, int dimension, bool nullRows)
    {
        var builder = new FixedSizeListArray.Builder(new Field("item", FloatType.Default, true), dimension);
        var items = (FloatArray.Builder)builder.ValueBuilder;
        for (int i = 0; i < rows; i++)
        {
            if (nullRows && i % 3 == 1)
            {
                builder.AppendNull();
                continue;
            }

            builder.Append();
            for (int k = 0; k < dimension; k++)
            {
                if ((i + k) % 5 == 2)
                {
                    items.AppendNull();
                }
                else
                {
                    items.Append(i + (k * 0.25f));
                }
            }
        }

        return builder.Build();
    }

    private static Schema Schema(FixedSizeListArray vectors) => new([new Field("v", vectors.Data.DataType, true)], null);

    private static DataFileWriterOptions Options(string version, DataFileWriterOptions? options) => new()
    {
        MaxPageRows = options?.MaxPageRows ?? DataFileWriterOptions.Default.MaxPageRows,
        Version = version == "2.2" ? LanceFileVersion.V2_2 : LanceFileVersion.V2_1,
    };

    private static IArrowArray RoundTrip(string version, FixedSizeListArray vectors, DataFileWriterOptions? options = null)
    {
        var schema = Schema(vectors);
        var batch = new RecordBatch(schema, [vectors], vectors.Length);
        using var stream = new MemoryStream();
        if (version == "2.0")
        {
            DataFileWriter20.Write(stream, LanceSchema.FromArrow(schema), [batch], options);
        }
        else
        {
            DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), [batch], Options(version, options));
        }

        using var reader = DataFileReader.FromBytes(stream.ToArray());
        return reader.Read().Column(0);
    }

    private static void AssertSame(FixedSizeListArray expected, FixedSizeListArray actual)
    {
        int dimension = ((FixedSizeListType)expected.Data.DataType).ListSize;
        Assert.Equal(expected.Length, actual.Length);
        var expectedItems = (FloatArray)expected.Values;
        var actualItems = (FloatArray)actual.Values;
        for (int row = 0; row < expected.Length; row++)
        {
            Assert.True(expected.IsNull(row) == actual.IsNull(row), $"row {row}: null {expected.IsNull(row)} written, {actual.IsNull(row)} read");
            if (expected.IsNull(row))
            {
                continue;
            }

            for (int k = 0; k < dimension; k++)
            {
                int e = ((expected.Offset + row) * dimension) + k;
                int a = ((actual.Offset + row) * dimension) + k;
                Assert.True(expectedItems.GetValue(e) == actualItems.GetValue(a), $"row {row}, item {k}: {expectedItems.GetValue(e)} written, {actualItems.GetValue(a)} read");
            }
        }
    }
}
