using System.Buffers.Binary;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;
using Lance.Engine.DataFiles.Encodings;
using File2 = Lance.Engine.Format.Protos.File2;

namespace Lance.Engine.Tests.Support;

/// <summary>
/// Rewrites a data file into the layout LanceDB's writer gives a file written in one call with many
/// batches: small pages, the pages of all columns ordered by their first row, and other bytes between
/// any two pages of a column (LanceDB puts the other columns' pages there), so that no column's pages
/// lie back to back. Our own writer puts each column's pages together.
/// </summary>
internal static class ApartPages
{
    /// <summary>Rewrites <paramref name="path"/> in place with pages of at most <paramref name="maxPageBytes"/>.</summary>
    public static void Rewrite(string path, int maxPageBytes)
    {
        LanceSchema schema;
        Apache.Arrow.RecordBatch batch;
        using (var reader = DataFileReader.Open(path))
        {
            schema = reader.Schema;
            batch = reader.Read();
        }

        using var plain = new MemoryStream();
        DataFileWriter.Write(plain, schema, [batch], new DataFileWriterOptions { MaxPageBytes = maxPageBytes });
        var bytes = plain.ToArray();
        var footer = bytes.AsSpan(bytes.Length - 40);
        var columnTable = (int)BinaryPrimitives.ReadUInt64LittleEndian(footer[8..]);
        var columnCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(footer[28..]);
        var columns = new List<File2.ColumnMetadata>();
        for (var i = 0; i < columnCount; i++)
        {
            var entry = bytes.AsSpan(columnTable + (i * 16));
            var metadata = File2.ColumnMetadata.Parser.ParseFrom(bytes.AsSpan(
                (int)BinaryPrimitives.ReadUInt64LittleEndian(entry), (int)BinaryPrimitives.ReadUInt64LittleEndian(entry[8..])));
            Assert.Empty(metadata.BufferOffsets); // column-level buffers (dictionaries) are not moved here
            columns.Add(metadata);
        }

        using var output = File.Create(path);
        var sink = new FileSink(output);
        var gap = Enumerable.Repeat((byte)0xA5, 64).ToArray();
        foreach (var (_, page) in columns.SelectMany((c, i) => c.Pages.Select(p => (Column: i, Page: p))).OrderBy(x => x.Page.Priority).ThenBy(x => x.Column).ToList())
        {
            for (var b = 0; b < page.BufferOffsets.Count; b++)
            {
                sink.Write(gap);
                page.BufferOffsets[b] = (ulong)sink.WriteAligned(bytes.AsSpan((int)page.BufferOffsets[b], (int)page.BufferSizes[b]), 64);
            }
        }

        DataFileWriter.WriteTail(sink, schema, batch.Length, columns, BinaryPrimitives.ReadUInt16LittleEndian(footer[32..]), BinaryPrimitives.ReadUInt16LittleEndian(footer[34..]));
    }
}
