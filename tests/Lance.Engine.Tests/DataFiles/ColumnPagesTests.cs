using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.DataFiles;

/// <summary>A flat column read page by page (<see cref="ColumnPages"/>) holds exactly the rows the whole column holds, in order.</summary>
public sealed class ColumnPagesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // Nulls, empty strings, short strings and strings of a few KiB (which take full-zip pages), each row's text naming its row.
    private static string? Text(int row, int seed) => (row * 7 + seed) % 11 == 0 ? null
        : row % 13 == 5 ? ""
        : row % 97 == 3 ? $"long {row} " + new string((char)('a' + (row % 26)), 3000 + row % 500)
        : $"row {row} " + new string('x', row % 40);

    private string Write(IArrowType type, int rows, int seed, bool compact)
    {
        var values = Enumerable.Range(0, rows).Select(i => Text(i, seed)).ToList();
        IArrowArray array = type is LargeStringType
            ? new LargeStringArray.Builder().AppendRange(values).Build()
            : new StringArray.Builder().AppendRange(values).Build();
        var schema = new Schema([new Field("text", type, nullable: true)], null);
        var path = _folder.Combine($"{Guid.NewGuid():N}.lance");
        using var stream = File.Create(path);
        DataFileWriter.Write(
            stream, LanceSchema.FromArrow(schema), [new RecordBatch(schema, [array], rows)], new DataFileWriterOptions { MaxPageRows = 300, MaxPageBytes = 8 << 10, Compact = compact });
        return path;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Pages_decoded_in_any_order_into_one_reused_builder_give_every_row_once_in_order(bool large, bool compact)
    {
        IArrowType type = large ? LargeStringType.Default : StringType.Default;
        const int Rows = 5000;
        using var reader = DataFileReader.Open(Write(type, Rows, 3, compact));
        var field = reader.Schema.Fields[0];
        using var pages = reader.TryOpenPages(field);

        Assert.NotNull(pages);
        Assert.True(pages.Count > 20, $"{pages.Count} pages");
        Assert.Equal(Rows, pages.RowCount);
        Assert.Equal(0, pages.FirstRowOf(0));
        for (var p = 1; p < pages.Count; p++)
        {
            Assert.Equal(pages.FirstRowOf(p - 1) + pages.RowsOf(p - 1), pages.FirstRowOf(p));
        }

        Assert.Equal(Rows, pages.FirstRowOf(pages.Count - 1) + pages.RowsOf(pages.Count - 1));

        // Last page first, then the rest, into one builder and one read buffer: nothing of an earlier page may show through.
        var builder = pages.NewBuilder();
        var buffer = new PageReadBuffer();
        var seen = new bool[Rows];
        foreach (var p in Enumerable.Range(0, pages.Count).Reverse().Concat([pages.Count - 1, 0]))
        {
            pages.Decode(p, builder, buffer);
            Assert.Equal(pages.RowsOf(p), builder.Length);
            for (var i = 0; i < builder.Length; i++)
            {
                var row = (int)pages.FirstRowOf(p) + i;
                seen[row] = true;
                var expected = Text(row, 3);
                Assert.Equal(expected is null, builder.IsNull(i));
                Assert.Equal(expected ?? "", Encoding.UTF8.GetString(builder.VariableValue(i)));
            }
        }

        Assert.All(seen, Assert.True);
    }

    [Fact]
    public void A_file_without_rows_has_pages_without_rows_and_nested_or_missing_fields_have_none()
    {
        var struct_ = new StructType([new Field("a", StringType.Default, true)]);
        var schema = new Schema([new Field("text", StringType.Default, true), new Field("s", struct_, true)], null);
        var path = _folder.Combine("empty.lance");
        using (var stream = File.Create(path))
        {
            var empty = new RecordBatch(schema, [new StringArray.Builder().Build(), new StructArray(struct_, 0, [new StringArray.Builder().Build()], ArrowBuffer.Empty)], 0);
            DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), [empty], new DataFileWriterOptions());
        }

        using var reader = DataFileReader.Open(path);
        using var pages = reader.TryOpenPages(reader.Schema.Fields[0]);

        Assert.NotNull(pages);
        Assert.Equal(0, pages.RowCount);
        Assert.All(Enumerable.Range(0, pages.Count), p => Assert.Equal(0, pages.RowsOf(p)));
        Assert.Null(reader.TryOpenPages(reader.Schema.Fields[1]));
        Assert.Null(reader.TryOpenPages(new LanceField(99, -1, "absent", "string", nullable: true)));
    }
}
