using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;

namespace Lance.Engine.Tests.Format;

public class FixtureDataFileTests
{
    [Theory]
    [InlineData("miniblock-nulls-deletion")]
    [InlineData("fullzip")]
    public void Reads_all_1000_rows_with_the_arrow_schema(string fixture)
    {
        var batch = DataFileReader.Read(Fixtures.DataFile(fixture));

        Assert.Equal(1000, batch.Length);
        Assert.Equal(["id", "text", "vector"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long?)i), (Int64Array)batch.Column("id"));
    }

    [Theory]
    [InlineData("miniblock-nulls-deletion")]
    [InlineData("fullzip")]
    public void Text_and_vectors_equal_what_LanceDB_read(string fixture)
    {
        var expected = Fixtures.ExpectedRows(fixture);
        var batch = DataFileReader.Read(Fixtures.DataFile(fixture));
        var ids = (Int64Array)batch.Column("id");
        var text = (StringArray)batch.Column("text");
        var vectors = (FixedSizeListArray)batch.Column("vector");
        var items = (FloatArray)vectors.Values;

        int compared = 0;
        for (int row = 0; row < batch.Length; row++)
        {
            if (!expected.TryGetValue(ids.GetValue(row)!.Value, out var want))
            {
                continue; // deleted at the latest version
            }

            Assert.Equal(want.Text, text.GetString(row));
            Assert.Equal(want.Vector, items.Values.Slice(row * 8, 8).ToArray());
            compared++;
        }

        Assert.Equal(expected.Count, compared);
    }

    [Fact]
    public void Every_tenth_text_of_the_miniblock_fixture_is_null()
    {
        var batch = DataFileReader.Read(Fixtures.DataFile("miniblock-nulls-deletion"));
        var text = (StringArray)batch.Column("text");

        Assert.Equal(100, text.NullCount);
        Assert.All(Enumerable.Range(0, 1000), i => Assert.Equal(i % 10 == 9, text.IsNull(i)));
    }

    [Fact]
    public void Reads_only_the_requested_columns_in_the_requested_order()
    {
        var batch = DataFileReader.Read(Fixtures.DataFile("fullzip"), columns: ["vector", "id"]);

        Assert.Equal(["vector", "id"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(1000, batch.Length);
    }

    [Fact]
    public void Keeps_schema_metadata_in_the_arrow_schema()
    {
        var batch = DataFileReader.Read(Fixtures.DataFile("fullzip"));

        Assert.Equal("csharp", batch.Schema.Metadata["owner"]);
    }

    [Fact]
    public void Deletion_file_lists_rows_3_4_and_5()
    {
        var path = Directory.GetFiles(Path.Combine(Fixtures.Table("miniblock-nulls-deletion"), "_deletions")).Single();

        Assert.Equal([3, 4, 5], DeletionFileReader.Read(path));
    }

    [Fact]
    public void Unknown_column_names_are_a_schema_error()
    {
        var error = Assert.Throws<LanceSchemaException>(() => DataFileReader.Read(Fixtures.DataFile("fullzip"), columns: ["nope"]));

        Assert.Contains("nope", error.Message);
    }
}
