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
        Stream output, LanceSchema schema, IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(batches);
        options ??= DataFileWriterOptions.Default;

        var sources = PrepareColumns(schema, batches);
        long rows = batches.Sum(b => (long)b.Length);
        var sink = new FileSink(output, cancellationToken);
        var columns = new List<File2.ColumnMetadata>(sources.Count);
        using (var page = new GatheredPage())
        {
            foreach (var (field, type, arrays) in sources)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (type is NullType)
                {
                    columns.Add(WriteNullColumn(sink, rows, options));
                    continue;
                }

                if (type is DictionaryType)
                {
                    columns.Add(WriteDictionaryColumn(sink, field, arrays, page, options));
                    continue;
                }

                if (field.IsLeaf)
                {
                    columns.Add(WriteColumn(sink, new ColumnPageSource(field, type, arrays), page, options));
                    continue;
                }

                // A nested column: one column per leaf, in pre-order, each with its rep/def levels.
                foreach (var path in LeafPath.Of(field))
                {
                    columns.Add(WriteNestedColumn(sink, path, arrays, page, options));
                }
            }
        }

        WriteTail(sink, schema, rows, columns, options.Version.Major, options.Version.Minor, options.GlobalBuffers);

        // In format 2.1 only leaves have columns, so only they are listed (as Lance does).
        var fieldIds = schema.AllFields.Where(f => f.IsLeaf).Select(f => f.Id).ToArray();
        return new DataFileInfo(sink.Position, fieldIds, Enumerable.Range(0, fieldIds.Length).ToArray(), rows);
    }

    /// <summary>Checks every batch against the schema and collects each top-level column's arrays.</summary>
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

    internal static List<(LanceField Field, IArrowType Type, List<IArrowArray> Arrays)> PrepareColumns(LanceSchema schema, IReadOnlyList<RecordBatch> batches)
    {
        var sources = new List<(LanceField, IArrowType, List<IArrowArray>)>(schema.Fields.Count);
        foreach (var field in schema.Fields)
        {
            IArrowType type;
            try
            {
                type = LanceSchema.ToArrowType(field);
            }
            catch (LanceFormatException e)
            {
                throw new LanceSchemaException($"Column '{field.Name}' has Lance type '{field.LogicalType}', which Lance.Engine cannot write.", e);
            }

            var arrays = new List<IArrowArray>(batches.Count);
            foreach (var batch in batches)
            {
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

                arrays.Add(array);
            }

            sources.Add((field, type, arrays));
        }

        return sources;
    }

    // Arrow's Null type: pages of only a length (the all-null layout, one nullable-item layer, no buffers), as Lance writes them.
    private static File2.ColumnMetadata WriteNullColumn(FileSink sink, long rows, DataFileWriterOptions options)
    {
        var column = new File2.ColumnMetadata { Encoding = EncodingProtos.ColumnValuesEncoding() };
        for (long start = 0; start < rows; start += options.MaxPageRows)
        {
            var layout = new Enc21.AllNullLayout();
            layout.Layers.Add(Enc21.RepDefLayer.RepdefNullableItem);
            column.Pages.Add(WritePage(sink, new EncodedPage([], new Enc21.PageLayout { AllNullLayout = layout }), start, (int)Math.Min(options.MaxPageRows, rows - start)));
        }

        return column;
    }

    private static File2.ColumnMetadata WriteDictionaryColumn(
        FileSink sink, LanceField field, IReadOnlyList<IArrowArray> arrays, GatheredPage page, DataFileWriterOptions options)
    {
        var column = new File2.ColumnMetadata { Encoding = EncodingProtos.ColumnValuesEncoding() };
        long rows = arrays.Sum(a => (long)a.Length);
        for (long start = 0; start < rows; start += options.MaxPageRows)
        {
            int count = (int)Math.Min(options.MaxPageRows, rows - start);
            column.Pages.Add(WritePage(sink, DictionaryPages.Encode(field, arrays, start, count, page, options.Version.HasLargeChunks), start, count));
        }

        return column;
    }

    private static File2.ColumnMetadata WriteNestedColumn(
        FileSink sink, LeafPath path, IReadOnlyList<IArrowArray> arrays, GatheredPage page, DataFileWriterOptions options)
    {
        if (path.Fields.Any(f => f.LogicalType.StartsWith("dict:", StringComparison.Ordinal)))
        {
            throw new LanceSchemaException($"Column '{path.Name}': dictionary-encoded values inside a list or struct cannot be written; use plain strings there.");
        }

        var leaf = LevelShredder.Shred(path, arrays);
        var leafType = LanceSchema.ToArrowType(path.Leaf);
        // Arrow's Null type inside a struct or list: every value is null, so each page is only its
        // levels (the all-null layout, as Lance writes it).
        bool nullLeaf = leafType is NullType;
        var source = nullLeaf ? null : new ColumnPageSource(path.Leaf, leafType, leaf.ValueRuns, checkNulls: false);
        var column = new File2.ColumnMetadata { Encoding = EncodingProtos.ColumnValuesEncoding() };
        foreach (var (firstRow, rowCount) in PlanNestedPages(leaf, source, options))
        {
            long firstEntry = leaf.RowEntryStart[firstRow];
            int entries = checked((int)(leaf.RowEntryStart[firstRow + rowCount] - firstEntry));
            long firstValue = leaf.RowValueStart[firstRow];
            int values = checked((int)(leaf.RowValueStart[firstRow + rowCount] - firstValue));
            var levels = new PageLevels(leaf, firstEntry, entries);
            EncodedPage encoded;
            if (values == 0 || source is null)
            {
                // Only null or empty lists: no values, just the levels (Lance's "complex all-null" page).
                encoded = AllNullEncoder.Encode(levels);
            }
            else
            {
                source.Gather(firstValue, values, page);
                encoded = Encode(source, page, levels, options.Version);
            }

            column.Pages.Add(WritePage(sink, encoded, firstRow, rowCount));
        }

        return column;
    }

    // Levels of null or empty lists ride in the mini-block chunk of the next value, and a chunk holds
    // at most 32 KiB with its levels stored as u16: capping these levels per page keeps every chunk
    // within the limit (a page with no values at all has no chunks).
    private const int MaxSpecialLevelsPerPage = 2048;

    // Pages hold whole rows; they are cut where the value-based plan would cut (or at the row limit).
    private static IEnumerable<(long FirstRow, int Rows)> PlanNestedPages(ShreddedLeaf leaf, ColumnPageSource? source, DataFileWriterOptions options)
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

    private static File2.ColumnMetadata.Types.Page WritePage(FileSink sink, EncodedPage encoded, long firstRow, int rows)
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

    private static File2.ColumnMetadata WriteColumn(FileSink sink, ColumnPageSource source, GatheredPage page, DataFileWriterOptions options)
    {
        var column = new File2.ColumnMetadata { Encoding = EncodingProtos.ColumnValuesEncoding() };
        foreach (var (start, count) in source.PlanPages(options.MaxPageBytes, options.MaxPageRows))
        {
            source.Gather(start, count, page);
            column.Pages.Add(WritePage(sink, Encode(source, page, levels: null, options.Version), start, count));
        }

        return column;
    }

    private static EncodedPage Encode(ColumnPageSource source, GatheredPage page, PageLevels? levels, LanceFileVersion version)
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
            return (longest < FullZipMinValueBytes, levels) switch
            {
                (true, _) => MiniBlockEncoder.EncodeVariable(page, offsetBits, levels, largeChunks),
                (false, null) => FullZipEncoder.EncodeVariable(page, offsetBits),
                (false, _) => FullZipEncoder.EncodeNested(page, levels, offsetBits, variable: true, EncodingProtos.Variable(offsetBits)),
            };
        }

        int bits = source.BitsPerValue;
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
