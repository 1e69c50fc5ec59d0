using System.Buffers.Binary;
using Apache.Arrow;
using Apache.Arrow.Types;
using Google.Protobuf;
using Lance.Engine.Arrow;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;
using File2 = Lance.Engine.Format.Protos.File2;
using PbFile = Lance.Engine.Format.Protos.File;

namespace Lance.Engine.DataFiles.V21;

/// <summary>
/// Writes one Lance data file, file format 2.1 (or 2.2, see <see cref="DataFileWriterOptions.Version"/>): the column pages (every buffer 64-byte aligned),
/// global buffer 0 (the schema and row count), one <c>ColumnMetadata</c> per column, the column
/// and global-buffer offset tables, and the 40-byte footer.
/// </summary>
/// <remarks>
/// Encodings: fixed-width values (numbers, bool as <c>Flat(1)</c>, vectors under 256 bytes as
/// <c>FixedSizeList</c>) and strings whose longest value in the page is under 256 bytes use the
/// mini-block layout; wider vectors and strings use the full-zip layout. Nulls become definition
/// levels (mini-block: <c>Flat(16)</c> per chunk; full-zip: a control byte per value) in pages that
/// hold any. No compression is applied: LanceDB reads all of these.
/// </remarks>
internal static class DataFileWriter
{
    /// <summary>Values this wide (bytes) or wider go to full-zip pages, as Lance decides.</summary>
    public const int FullZipMinValueBytes = 256;

    private const int BufferAlignment = 64;

    /// <summary>Writes <paramref name="batches"/> (all of <paramref name="schema"/>'s columns) as one data file.</summary>
    /// <param name="output">Where the file goes; written from its current position, not closed.</param>
    /// <param name="schema">The table schema; every top-level field must be a column of each batch (matched by name).</param>
    /// <param name="batches">The rows, in order; empty batches are allowed.</param>
    /// <param name="options">Page sizing; <see cref="DataFileWriterOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Checked before each column and each page written.</param>
    /// <exception cref="LanceSchemaException">A batch lacks a column, has another type, or has a null where none is allowed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the stream holds part of a file.</exception>
    public static DataFileInfo Write(
        Stream output, LanceSchema schema, IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        DataFileWriters.WriteAll(Create(output, schema, options, cancellationToken), batches);

    /// <summary>Starts a data file on <paramref name="output"/> whose rows are added batch by batch, each page written once full.</summary>
    /// <param name="output">Where the file goes; written from its current position, not closed.</param>
    /// <param name="schema">The table schema; every top-level field must be a column of each batch (matched by name).</param>
    /// <param name="options">Page sizing; <see cref="DataFileWriterOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Checked before each page written.</param>
    /// <exception cref="LanceSchemaException">A field has a type this writer does not write.</exception>
    public static IDataFileWriter Create(Stream output, LanceSchema schema, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        new File21Writer(output, schema, options ?? DataFileWriterOptions.Default, cancellationToken);

    /// <summary>
    /// Ends a file of format 2.x (2.0 files say 0.3): global buffer 0 (the schema and row count), one
    /// <c>ColumnMetadata</c> per column, the column and global-buffer offset tables, and the 40-byte footer.
    /// </summary>
    internal static void WriteTail(
        FileSink sink, LanceSchema schema, long rows, List<File2.ColumnMetadata> columns, ushort major, ushort minor, IReadOnlyList<byte[]>? globalBuffers = null)
    {
        var extraBuffers = (globalBuffers ?? []).Select(b => (Position: sink.WriteAligned(b, BufferAlignment), Length: (long)b.Length)).ToList();
        var descriptor = new PbFile.FileDescriptor
        {
            Schema = new PbFile.Schema(),
            Length = (ulong)rows,
        };
        descriptor.Schema.Fields.AddRange(schema.ToProtoFields());
        schema.CopyMetadataTo(descriptor.Schema.Metadata);
        byte[] descriptorBytes = descriptor.ToByteArray();
        long descriptorPosition = sink.WriteAligned(descriptorBytes, BufferAlignment);

        var columnPositions = new (long Position, long Length)[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            byte[] bytes = columns[i].ToByteArray();
            columnPositions[i] = (sink.Position, bytes.Length);
            sink.Write(bytes);
        }

        long columnMetadataStart = columns.Count > 0 ? columnPositions[0].Position : sink.Position;
        long columnTablePosition = sink.Position;
        Span<byte> entry = stackalloc byte[16];
        foreach (var (position, length) in columnPositions)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(entry, (ulong)position);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)length);
            sink.Write(entry);
        }

        long globalTablePosition = sink.Position;
        BinaryPrimitives.WriteUInt64LittleEndian(entry, (ulong)descriptorPosition);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)descriptorBytes.Length);
        sink.Write(entry);
        foreach (var (position, length) in extraBuffers)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(entry, (ulong)position);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)length);
            sink.Write(entry);
        }

        Span<byte> footer = stackalloc byte[40];
        BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)columnMetadataStart);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[8..], (ulong)columnTablePosition);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[16..], (ulong)globalTablePosition);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[24..], (uint)(1 + extraBuffers.Count));
        BinaryPrimitives.WriteUInt32LittleEndian(footer[28..], (uint)columns.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(footer[32..], major);
        BinaryPrimitives.WriteUInt16LittleEndian(footer[34..], minor);
        ManifestCodec.Magic.CopyTo(footer[36..]);
        sink.Write(footer);
    }

    /// <summary>The Arrow type <paramref name="field"/> is written as.</summary>
    /// <exception cref="LanceSchemaException">The engine cannot write the field's Lance type.</exception>
    internal static IArrowType WritableType(LanceField field)
    {
        try
        {
            return LanceSchema.ToArrowType(field);
        }
        catch (LanceFormatException e)
        {
            throw new LanceSchemaException($"Column '{field.Name}' has Lance type '{field.LogicalType}', which Lance.Engine cannot write.", e);
        }
    }

    /// <summary>The column of <paramref name="batch"/> that holds <paramref name="field"/>, checked against its type and nullability.</summary>
    /// <exception cref="LanceSchemaException">The batch lacks the column, has another type, or has a null where none is allowed.</exception>
    internal static IArrowArray CheckedColumn(LanceField field, RecordBatch batch)
    {
        var type = WritableType(field);
        int index = batch.Schema.GetFieldIndex(field.Name);
        if (index < 0)
        {
            throw new LanceSchemaException($"A batch has no column '{field.Name}'. Its columns: {string.Join(", ", batch.Schema.FieldsList.Select(f => f.Name))}.");
        }

        var array = batch.Column(index);
        if (!SchemaAlignment.SameType(type, array.Data.DataType))
        {
            throw new LanceSchemaException(
                $"Column '{field.Name}' should be {SchemaAlignment.Describe(type)} ('{field.LogicalType}') but a batch holds {SchemaAlignment.Describe(array.Data.DataType)}.");
        }

        if (!field.Nullable && array.NullCount > 0)
        {
            throw new LanceSchemaException($"Column '{field.Name}' is not nullable but a batch holds {array.NullCount} null value(s) in it.");
        }

        return array;
    }

    // Levels of null or empty lists ride in the mini-block chunk of the next value, and a chunk holds
    // at most 32 KiB with its levels stored as u16: capping these levels per page keeps every chunk
    // within the limit (a page with no values at all has no chunks).
    private const int MaxSpecialLevelsPerPage = 2048;

    // Pages hold whole rows; they are cut where the value-based plan would cut (or at the row limit).
    internal static IEnumerable<(long FirstRow, int Rows)> PlanNestedPages(ShreddedLeaf leaf, ColumnPageSource? source, DataFileWriterOptions options)
    {
        long rows = leaf.RowValueStart.Length - 1;
        var boundaries = source is null ? [] : source.PlanPages(options.MaxPageBytes, options.MaxPageRows).Select(p => p.Start).Skip(1).ToList();
        int next = 0;
        long pageStart = 0;
        for (long row = 0; row < rows; row++)
        {
            bool valueCut = next < boundaries.Count && leaf.RowValueStart[row] >= boundaries[next];
            long entries = leaf.RowEntryStart[row] - leaf.RowEntryStart[pageStart];
            long specials = entries - (leaf.RowValueStart[row] - leaf.RowValueStart[pageStart]);
            bool levelCut = entries >= options.MaxPageRows || specials >= MaxSpecialLevelsPerPage;
            if (row > pageStart && (valueCut || levelCut || row - pageStart >= options.MaxPageRows))
            {
                yield return (pageStart, (int)(row - pageStart));
                pageStart = row;
            }

            while (next < boundaries.Count && leaf.RowValueStart[row] >= boundaries[next])
            {
                next++;
            }
        }

        if (rows > pageStart)
        {
            yield return (pageStart, (int)(rows - pageStart));
        }
    }

    internal static File2.ColumnMetadata.Types.Page WritePage(FileSink sink, EncodedPage encoded, long firstRow, int rows)
    {
        var pageMetadata = new File2.ColumnMetadata.Types.Page
        {
            Length = (ulong)rows,
            Encoding = EncodingProtos.PageEncoding(encoded.Layout),
            // Lance orders pages of all columns by their first row.
            Priority = (ulong)firstRow,
        };
        foreach (var buffer in encoded.Buffers)
        {
            pageMetadata.BufferOffsets.Add((ulong)sink.WriteAligned(buffer.Span, BufferAlignment));
            pageMetadata.BufferSizes.Add((ulong)buffer.Length);
        }

        return pageMetadata;
    }

    internal static EncodedPage Encode(ColumnPageSource source, GatheredPage page, PageLevels? levels, LanceFileVersion version, bool compact = false)
    {
        bool largeChunks = version.HasLargeChunks;
        if (source.IsVariable)
        {
            long longest = 0;
            var offsets = page.Offsets;
            for (int i = 0; i < page.Count; i++)
            {
                longest = Math.Max(longest, offsets[i + 1] - offsets[i]);
            }

            int offsetBits = source.LargeOffsets ? 64 : 32;
            if (compact && longest < FullZipMinValueBytes && MiniBlockEncoder.EncodeDictionary(page, offsetBits, levels, largeChunks) is { } dictionary)
            {
                return dictionary;
            }

            return (longest < FullZipMinValueBytes, levels) switch
            {
                (true, _) => MiniBlockEncoder.EncodeVariable(page, offsetBits, levels, largeChunks),
                (false, null) => FullZipEncoder.EncodeVariable(page, offsetBits),
                (false, _) => FullZipEncoder.EncodeNested(page, levels, offsetBits, variable: true, EncodingProtos.Variable(offsetBits)),
            };
        }

        int bits = source.BitsPerValue;
        if (compact && source.Type is IntegerType && bits is 8 or 16 or 32 or 64)
        {
            return MiniBlockEncoder.EncodeBitpacked(page, page.ValuesMemory, bits, levels, largeChunks);
        }

        var valueEncoding = source.Type is FixedSizeListType fsl
            ? EncodingProtos.FixedSizeList(fsl.ListSize, bits / fsl.ListSize)
            : EncodingProtos.Flat(bits);
        if (page.HasNullItems)
        {
            valueEncoding.FixedSizeList.HasValidity = true; // vectors with null items keep their item validity
        }

        return (bits / 8 < FullZipMinValueBytes, levels) switch
        {
            (true, _) => MiniBlockEncoder.EncodeFixed(page, bits, valueEncoding, levels, largeChunks),
            (false, null) => FullZipEncoder.EncodeFixed(page, bits, valueEncoding),
            (false, _) => FullZipEncoder.EncodeNested(page, levels, bits, variable: false, valueEncoding),
        };
    }
}
