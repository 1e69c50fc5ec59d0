using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.DataFiles;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.Index.Scalar;

/// <summary>
/// Writes a <see cref="ScalarIndexData"/> as Lance does: a BTREE as <c>page_data.lance</c> (every row's
/// value and address, nulls first then ascending, in pages of 4,096 rows) and <c>page_lookup.lance</c>
/// (per page its min, max, null count and number; schema metadata <c>batch_size</c>); a BITMAP as
/// <c>bitmap_page_lookup.lance</c> (per distinct value, the null value included, its serialised row set).
/// </summary>
internal static class ScalarIndexFiles
{
    /// <summary>Writes the files of <paramref name="index"/> under the index folder <paramref name="folder"/>; returns their total size.</summary>
    public static async Task<long> WriteAsync(DatasetFiles files, string folder, ScalarIndexData index, CancellationToken cancellationToken)
    {
        var prefix = DatasetFiles.IndexFolder(folder);
        if (index.Kind == ScalarIndexKind.BTree)
        {
            var (pages, lookup) = BTreeBatches(index);
            return await WriteFileAsync(files, prefix + ScalarIndexFormat.BTreePagesFile, pages, cancellationToken).ConfigureAwait(false)
                + await WriteFileAsync(files, prefix + ScalarIndexFormat.BTreeLookupFile, lookup, cancellationToken).ConfigureAwait(false);
        }

        if (index.Kind == ScalarIndexKind.LabelList)
        {
            // The null lists in global buffer 1, named by the schema's metadata (Lance's label list, version 1).
            var batch = BitmapBatch(index);
            var schema = new Schema(batch.Schema.FieldsList, new Dictionary<string, string> { [ScalarIndexFormat.LabelListNullsKey] = "1" });
            return await WriteFileAsync(files, prefix + ScalarIndexFormat.BitmapFile, new RecordBatch(schema, batch.Arrays, batch.Length), cancellationToken,
                [RowAddressSets.Write(index.ListNullAddresses)]).ConfigureAwait(false);
        }

        return await WriteFileAsync(files, prefix + ScalarIndexFormat.BitmapFile, BitmapBatch(index), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The BTREE's page data (one row per indexed row) and page lookup (one row per page).</summary>
    public static (RecordBatch Pages, RecordBatch Lookup) BTreeBatches(ScalarIndexData index)
    {
        var type = index.Keys.Data.DataType;
        var nulls = index.NullAddresses.Length;
        var keyOfRow = new int[index.Addresses.Length];
        for (var k = 0; k + 1 < index.Offsets.Length; k++)
        {
            keyOfRow.AsSpan(index.Offsets[k], index.Offsets[k + 1] - index.Offsets[k]).Fill(k);
        }

        var values = ArrowArrays.Concatenate([ArrowEmpty.CreateNulls(type, nulls), ArrowTake.Take(index.Keys, keyOfRow)]);
        var ids = new UInt64Array.Builder().Reserve(values.Length);
        ids.AppendRange(index.NullAddresses);
        ids.AppendRange(index.Addresses);
        var pageSchema = new Schema([new Field("values", type, nullable: true), new Field("ids", UInt64Type.Default, nullable: false)], null);
        var pages = new RecordBatch(pageSchema, [values, ids.Build()], values.Length);

        var pageRows = ScalarIndexFormat.BTreePageRows;
        var count = (values.Length + pageRows - 1) / pageRows;
        var mins = new int[count];
        var maxs = new int[count];
        var nullCounts = new UInt32Array.Builder();
        var numbers = new UInt32Array.Builder();
        for (var p = 0; p < count; p++)
        {
            var start = p * pageRows;
            var end = Math.Min(values.Length, start + pageRows);
            var firstValue = Math.Max(start, nulls);
            var pageNulls = Math.Max(0, Math.Min(end, nulls) - start);
            mins[p] = firstValue < end ? keyOfRow[firstValue - nulls] : -1;
            maxs[p] = firstValue < end ? keyOfRow[end - 1 - nulls] : -1;
            nullCounts.Append((uint)pageNulls);
            numbers.Append((uint)p);
        }

        var metadata = new Dictionary<string, string> { ["batch_size"] = pageRows.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var lookupSchema = new Schema(
            [new Field("min", type, nullable: true), new Field("max", type, nullable: true),
             new Field("null_count", UInt32Type.Default, nullable: false), new Field("page_idx", UInt32Type.Default, nullable: false)],
            metadata);
        var lookup = new RecordBatch(lookupSchema, [KeysOrNull(index, mins), KeysOrNull(index, maxs), nullCounts.Build(), numbers.Build()], count);
        return (pages, lookup);
    }

    /// <summary>The BITMAP's one row per distinct value (the null value last, when any row is null).</summary>
    public static RecordBatch BitmapBatch(ScalarIndexData index)
    {
        var type = index.Keys.Data.DataType;
        var keyCount = index.Keys.Length;
        var withNull = index.NullAddresses.Length > 0;
        var keyRows = Enumerable.Range(0, keyCount).Concat(withNull ? [-1] : []).ToArray();
        var bitmaps = new BinaryArray.Builder();
        for (var k = 0; k < keyCount; k++)
        {
            bitmaps.Append(RowAddressSets.Write(index.Addresses.AsSpan(index.Offsets[k], index.Offsets[k + 1] - index.Offsets[k])));
        }

        if (withNull)
        {
            bitmaps.Append(RowAddressSets.Write(index.NullAddresses));
        }

        var schema = new Schema([new Field("keys", type, nullable: true), new Field("bitmaps", BinaryType.Default, nullable: true)], null);
        return new RecordBatch(schema, [KeysOrNull(index, keyRows), bitmaps.Build()], keyRows.Length);
    }

    /// <summary>The keys at <paramref name="rows"/>, null where a row is -1.</summary>
    private static IArrowArray KeysOrNull(ScalarIndexData index, int[] rows)
    {
        var pieces = new List<IArrowArray>();
        var type = index.Keys.Data.DataType;
        for (var i = 0; i < rows.Length;)
        {
            var start = i;
            var isNull = rows[i] < 0;
            while (i < rows.Length && (rows[i] < 0) == isNull)
            {
                i++;
            }

            pieces.Add(isNull ? ArrowEmpty.CreateNulls(type, i - start) : ArrowTake.Take(index.Keys, rows.AsSpan(start, i - start)));
        }

        return pieces.Count == 0 ? ArrowEmpty.Create(type) : pieces.Count == 1 ? pieces[0] : ArrowArrays.Concatenate(pieces);
    }

    private static async Task<long> WriteFileAsync(DatasetFiles files, string key, RecordBatch batch, CancellationToken cancellationToken, IReadOnlyList<byte[]>? globalBuffers = null)
    {
        var output = await files.Store.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        await using (output.ConfigureAwait(false))
        {
            var options = globalBuffers is null ? null : new DataFileWriterOptions { GlobalBuffers = globalBuffers };
            var info = DataFileWriter.Write(output.Stream, LanceSchema.FromArrow(batch.Schema), [batch], options, cancellationToken);
            await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return info.BytesWritten;
        }
    }
}
