using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine.Index.Scalar;

/// <summary>
/// Builds a BTREE or BITMAP index over a column's live rows, writes its files under
/// <c>_indices/&lt;uuid&gt;/</c> and records it in a new version (as LanceDB records its own: the field id,
/// the fragments covered and an empty <c>lance.table.*IndexDetails</c>), so LanceDB uses it too.
/// </summary>
internal static class ScalarIndexBuilder
{
    /// <summary>Builds and commits the index; returns its description.</summary>
    /// <exception cref="LanceIndexException">No such column, a type the kind cannot index, or an index of that name exists and <paramref name="replace"/> is false.</exception>
    public static async Task<ScalarIndexInfo> CreateAsync(
        Snapshot snapshot, CommitLog log, string column, ScalarIndexKind kind, string? name, bool replace, Action<Manifest> committed, CancellationToken cancellationToken)
    {
        var where = $"Cannot build a {ScalarIndexFormat.DisplayName(kind)} index on column '{column}' of '{snapshot.Location}'";
        var field = snapshot.Manifest.Schema.FindField(column)
            ?? throw new LanceIndexException($"{where}: there is no such column. Columns: {snapshot.ColumnList}.");
        var arrowField = snapshot.Schema.GetFieldByName(column);
        if (!Indexable(arrowField.DataType, kind))
        {
            throw new LanceIndexException($"{where}: its type {ArrowArrays.Describe(arrowField.DataType)} cannot be indexed so (as in LanceDB, BTREE takes numbers, strings, booleans, dates, times and timestamps; BITMAP integers, strings, binary and booleans; LABEL_LIST a list of what BITMAP takes).");
        }

        name ??= column + "_idx";
        IndexCommit.CheckName(snapshot, name, column, replace);
        var index = await Task.Run(() => Build(snapshot, column, arrowField, kind, cancellationToken), cancellationToken).ConfigureAwait(false);
        var uuid = Guid.NewGuid();
        var folder = uuid.ToString("D");
        try
        {
            var bytes = await ScalarIndexFiles.WriteAsync(snapshot.Files, folder, index, cancellationToken).ConfigureAwait(false);
            var metadata = new IndexMetadata
            {
                Uuid = uuid,
                Fields = [field.Id],
                Name = name,
                DatasetVersion = snapshot.Manifest.Version,
                Fragments = snapshot.Fragments.Select(f => f.Id).ToList(),
                DetailsTypeUrl = ScalarIndexFormat.TypeUrl(kind),
                Details = [],
                // A LABEL_LIST is version 1, as LanceDB writes it: its file holds the null lists in a global buffer.
                IndexVersion = ScalarIndexFormat.Version(kind),
            };
            var next = await IndexCommit.PublishAsync(snapshot, log, name, metadata, cancellationToken).ConfigureAwait(false);
            ScalarIndexReader.Remember(snapshot.Files, uuid, index);
            committed(next);
            return Describe(next, metadata, index, bytes);
        }
        catch
        {
            await snapshot.Files.TryDeleteIndexAsync(folder).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The description of an index of <paramref name="manifest"/>.</summary>
    public static ScalarIndexInfo Describe(Manifest manifest, IndexMetadata metadata, ScalarIndexData index, long sizeBytes)
    {
        var covered = new HashSet<ulong>(metadata.Fragments);
        var unindexed = manifest.Fragments.Where(f => !covered.Contains(f.Id))
            .Sum(f => (long)f.PhysicalRows - (long)(f.DeletionFile?.NumDeletedRows ?? 0));
        var column = manifest.Schema.Fields.FirstOrDefault(f => metadata.Fields.Count == 1 && f.Id == metadata.Fields[0])?.Name ?? "";
        return new ScalarIndexInfo(metadata.Name, column, ScalarIndexFormat.KindOf(metadata) ?? ScalarIndexKind.BTree, metadata.Uuid,
            index.Addresses.Length + index.NullAddresses.Length, unindexed, index.Keys.Length, sizeBytes, index.MemoryBytes);
    }

    private static ScalarIndexData Build(Snapshot snapshot, string column, Field arrowField, ScalarIndexKind kind, CancellationToken cancellationToken)
    {
        var pieces = new List<IArrowArray>();
        var addresses = new List<ulong>();
        var nullLists = new List<ulong>();
        foreach (var fragment in snapshot.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var values = snapshot.ReadColumn(fragment, arrowField, cancellationToken);
            var deleted = snapshot.DeletedRows(fragment);
            if (kind == ScalarIndexKind.LabelList)
            {
                // One entry per list item (null lists hold none), as Lance unnests the column.
                var list = (ListArray)values;
                var items = new List<int>();
                for (var row = 0; row < list.Length; row++)
                {
                    if (deleted.Contains(row))
                    {
                        continue;
                    }

                    if (list.IsNull(row))
                    {
                        nullLists.Add((fragment.Id << 32) | (uint)row);
                        continue;
                    }

                    for (var j = list.ValueOffsets[row]; j < list.ValueOffsets[row + 1]; j++)
                    {
                        items.Add(j);
                        addresses.Add((fragment.Id << 32) | (uint)row);
                    }
                }

                pieces.Add(ArrowTake.Take(list.Values, items.ToArray()));
                continue;
            }

            var live = Enumerable.Range(0, values.Length).Where(r => !deleted.Contains(r)).ToArray();
            pieces.Add(live.Length == values.Length ? values : ArrowTake.Take(values, live));
            foreach (var row in live)
            {
                addresses.Add((fragment.Id << 32) | (uint)row);
            }
        }

        var valueType = arrowField.DataType is ListType listType ? listType.ValueDataType : arrowField.DataType;
        var all = pieces.Count == 0 ? ArrowEmpty.Create(valueType) : pieces.Count == 1 ? pieces[0] : ArrowArrays.Concatenate(pieces);
        if (all.Data.DataType is DictionaryType)
        {
            throw new LanceIndexException($"Cannot build an index on dictionary-encoded column '{column}' of '{snapshot.Location}'.");
        }

        var starts = Enumerable.Range(0, addresses.Count + 1).ToArray();
        var index = ScalarIndexData.Create(kind, column, all, starts, [.. addresses], snapshot.Location);
        index.ListNullAddresses = [.. nullLists];
        return index;
    }

    // LanceDB's rules (checked against it for every type): it refuses a BITMAP on floats, dates, times, timestamps and
    // decimals, a BTREE on binary and decimals, and a LABEL_LIST over items a BITMAP refuses; an index it would not build
    // is one it may not read, so none is built here either.
    private static bool Indexable(IArrowType type, ScalarIndexKind kind) => kind switch
    {
        ScalarIndexKind.LabelList => type is ListType list && Indexable(list.ValueDataType, ScalarIndexKind.Bitmap),
        ScalarIndexKind.Bitmap => type is BooleanType or StringType or LargeStringType or BinaryType or LargeBinaryType || IsInteger(type),
        _ => type is BooleanType or StringType or LargeStringType or Date32Type or Date64Type or TimestampType or Time32Type or Time64Type
            || IsInteger(type) || type.TypeId is ArrowTypeId.HalfFloat or ArrowTypeId.Float or ArrowTypeId.Double,
    };

    private static bool IsInteger(IArrowType type) => type.TypeId is ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.Int64
        or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64;
}
