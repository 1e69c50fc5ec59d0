using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Format;

/// <summary>Damaged data files: every problem is a <see cref="LanceFormatException"/> naming the file, never a crash or a wrong answer.</summary>
public sealed class DamagedDataFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // A small file with a flat, a nested, a string and a vector column (mini-block and full-zip pages).
    private static byte[] SmallFile()
    {
        var columns = TypeMatrix.Columns.Where(c => c.Name is "id" or "i32" or "text" or "points" or "outer" or "wide" or "words").ToList();
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Type, c.Nullable)), null);
        var batch = new RecordBatch(schema, columns.Select(c => ArrowValues.Build(c.Type, Enumerable.Range(0, 12).Select(c.Value).ToList())), 12);
        using var stream = new MemoryStream();
        DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), [batch]);
        return stream.ToArray();
    }

    private string Save(byte[] bytes, string name = "damaged.lance")
    {
        var path = _temp.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_truncated_file_is_a_format_error_naming_the_file()
    {
        var bytes = SmallFile();
        var path = Save(bytes[..(bytes.Length - 100)]);

        var error = Assert.Throws<LanceFormatException>(() => DataFileReader.Read(path));

        Assert.Contains("damaged.lance", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_file_with_bad_magic_bytes_is_a_format_error_naming_the_file()
    {
        var bytes = SmallFile();
        "LANX"u8.CopyTo(bytes.AsSpan(bytes.Length - 4));
        var path = Save(bytes);

        var error = Assert.Throws<LanceFormatException>(() => DataFileReader.Read(path));

        Assert.Contains("damaged.lance", error.Message);
        Assert.Contains("LANC", error.Message);
    }

    [Fact]
    public void A_file_shorter_than_its_footer_is_a_format_error()
    {
        var path = Save([1, 2, 3]);

        var error = Assert.Throws<LanceFormatException>(() => DataFileReader.Read(path));

        Assert.Contains("damaged.lance", error.Message);
    }

    [Fact]
    public void A_column_table_pointing_past_the_end_is_a_format_error()
    {
        var bytes = SmallFile();
        // Footer: column_meta_start, column_offset_table_pos, ...; point the column table far away.
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 32), (ulong)bytes.Length * 10);
        var path = Save(bytes);

        var error = Assert.Throws<LanceFormatException>(() => DataFileReader.Read(path));

        Assert.Contains("damaged.lance", error.Message);
        Assert.Contains("column offset table", error.Message);
    }

    [Fact]
    public void Every_truncation_of_a_file_is_a_format_error()
    {
        var bytes = SmallFile();

        foreach (int length in Enumerable.Range(0, bytes.Length).Where(l => l % 7 == 0 || l > bytes.Length - 64))
        {
            using var stream = new MemoryStream();
            var error = Assert.Throws<LanceFormatException>(() =>
            {
                using var reader = DataFileReader.FromBytes(bytes.AsMemory(0, length), "cut.lance");
                reader.Read();
            });
            Assert.Contains("cut.lance", error.Message);
        }
    }

    [Fact]
    public void Any_corrupted_byte_gives_a_format_error_or_a_read_never_another_exception()
    {
        var bytes = SmallFile();
        var random = new Random(7);
        var unexpected = new List<string>();

        for (int position = 0; position < bytes.Length; position++)
        {
            var copy = (byte[])bytes.Clone();
            copy[position] ^= (byte)(1 + random.Next(255));
            try
            {
                using var reader = DataFileReader.FromBytes(copy, "flipped.lance");
                reader.Read();
            }
            catch (LanceFormatException)
            {
            }
            catch (Exception e)
            {
                unexpected.Add($"byte {position}: {e.GetType().Name}: {e.Message} {e.StackTrace?.Split('\n')[0]}");
            }
        }

        Assert.True(unexpected.Count == 0, $"{unexpected.Count} corruptions escaped as other exceptions:\n{string.Join("\n", unexpected.Take(10))}");
    }
}
