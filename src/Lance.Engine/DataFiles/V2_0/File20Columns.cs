using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.Format;
using File2 = Lance.Engine.Format.Protos.File2;

namespace Lance.Engine.DataFiles.V20;

/// <summary>
/// Reads the columns of a file of format 2.0: every field has a column, parents included; leaf
/// pages are decoded by <see cref="ArrayEncodingDecoder"/>, structs, lists and dictionaries by
/// <see cref="NestedColumnReader"/>. Nothing is mapped: 2.0 pages are not flat buffers of values.
/// </summary>
internal sealed class File20Columns(V2FileContainer file, DataFileReadSettings settings) : IDataFileColumns
{
    private readonly string _name = file.File.Name;

    /// <inheritdoc/>
    public LanceSchema Schema => file.Schema;

    /// <inheritdoc/>
    public long RowCount => file.RowCount;

    /// <inheritdoc/>
    public IArrowArray ReadColumn(LanceField field)
    {
        var type = LanceSchema.ToArrowType(field);
        if (!file.TryGetColumn(field.Id, out int column))
        {
            // A column added after this file was written.
            if (!field.Nullable)
            {
                throw new LanceFormatException(field.IsLeaf
                    ? $"'{_name}' has no column for the non-nullable field '{field.Name}' (id {field.Id})."
                    : $"'{_name}' has no columns for the non-nullable field '{field.Name}' (id {field.Id}).");
            }

            if (!field.IsLeaf)
            {
                return ArrowEmpty.CreateNulls(type, checked((int)RowCount));
            }

            var nulls = new ColumnBuilder(type, RowCount, file.InitialValueBytesCap);
            nulls.AppendNulls(checked((int)RowCount));
            return nulls.Build();
        }

        if (!field.IsLeaf || type is Apache.Arrow.Types.DictionaryType)
        {
            // Every list item LanceDB writes takes at least a bit of the file: more claimed is corruption.
            return new NestedColumnReader(_name, Pages20, file.InitialValueBytesCap, Math.Max(RowCount, file.File.Length * 8)).Read(field, RowCount);
        }

        var builder = new ColumnBuilder(type, RowCount, file.InitialValueBytesCap);
        DecodeColumn(column, field.Name, builder);
        if (builder.Length != RowCount)
        {
            throw new LanceFormatException($"'{_name}': column '{field.Name}' holds {builder.Length} rows but the file has {RowCount}.");
        }

        return builder.Build();
    }

    /// <inheritdoc/>
    public IReadOnlyList<IArrowArray>? TryMapFlatColumn(LanceField field) => null;

    /// <inheritdoc/>
    public IReadOnlyList<string> DescribePages(LanceField field)
    {
        if (!file.TryGetColumn(field.Id, out int column))
        {
            return [];
        }

        return file.ParseColumnMetadata(column).Pages
            .Select(page => "2.0 " + ArrayEncodingDecoder.Read(page.Encoding, field.Name).ArrayEncodingCase).ToList();
    }

    private void DecodeColumn(int column, string name, ColumnBuilder builder)
    {
        if (column >= file.ColumnCount)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: column '{name}' should be column {column} but the file has {file.ColumnCount}.");
        }

        var metadata = file.ReadColumnMetadata(column, name);
        long rowsSoFar = 0;
        foreach (var page in metadata.Pages)
        {
            settings.CancellationToken.ThrowIfCancellationRequested();
            if (page.BufferOffsets.Count != page.BufferSizes.Count)
            {
                throw new LanceFormatException($"'{_name}' is corrupt: a page of column '{name}' lists {page.BufferOffsets.Count} buffer offsets but {page.BufferSizes.Count} sizes.");
            }

            if (page.Length > (ulong)(RowCount - rowsSoFar))
            {
                throw new LanceFormatException($"'{_name}' is corrupt: the pages of column '{name}' hold more than the file's {RowCount} rows.");
            }

            rowsSoFar += (long)page.Length;
            ArrayEncodingDecoder.Decode(page.Encoding, file.ReadPageBuffers(page, name), (long)page.Length, builder, name);
        }
    }

    // The pages of a field's column (every field has one), their buffers read.
    private List<Page20> Pages20(LanceField field)
    {
        if (!file.TryGetColumn(field.Id, out int column) || column >= file.ColumnCount)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: it has no column for field '{field.Name}' (id {field.Id}).");
        }

        File2.ColumnMetadata metadata = file.ReadColumnMetadata(column, field.Name);
        var pages = new List<Page20>(metadata.Pages.Count);
        foreach (var page in metadata.Pages)
        {
            settings.CancellationToken.ThrowIfCancellationRequested();
            if (page.BufferOffsets.Count != page.BufferSizes.Count || page.Length > int.MaxValue)
            {
                throw new LanceFormatException($"'{_name}' is corrupt: a page of column '{field.Name}' has {page.BufferOffsets.Count} buffer offsets, {page.BufferSizes.Count} sizes and {page.Length} rows.");
            }

            pages.Add(new Page20(page.Encoding, file.ReadPageBuffers(page, field.Name), (long)page.Length));
        }

        return pages;
    }
}
