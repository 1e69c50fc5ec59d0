using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// One version of a dataset as readers see it: its manifest, Arrow schema and fragments, and the
/// reads of their columns and deletion masks. Immutable and safe to share between threads: a scan or
/// search takes the snapshot current when it starts and is not disturbed by commits made meanwhile.
/// Decoded files are kept in the <see cref="FragmentCache"/> all snapshots of a dataset share.
/// </summary>
internal sealed class Snapshot
{
    private readonly FragmentCache _cache;

    public Snapshot(Manifest manifest, FragmentCache cache)
    {
        Manifest = manifest;
        Schema = manifest.Schema.ToArrow();
        _cache = cache;
    }

    /// <summary>The version's manifest.</summary>
    public Manifest Manifest { get; }

    /// <summary>The version's Arrow schema, with its metadata.</summary>
    public Schema Schema { get; }

    /// <summary>The dataset folder (data files are read from it; messages name it).</summary>
    public string Location => _cache.DataPath;

    /// <summary>The fragments of the version.</summary>
    public IList<DataFragment> Fragments => Manifest.Fragments;

    /// <summary>The row ids of the dataset's fragments.</summary>
    public FragmentRowIds RowIds => _cache.RowIds;

    /// <summary>Another version of the same dataset, sharing what was decoded.</summary>
    public Snapshot Next(Manifest manifest) => new(manifest, _cache);

    /// <summary>The number of live rows (physical rows less deleted ones).</summary>
    public long CountRows() => RowsOf(Manifest);

    /// <summary>The number of live rows of <paramref name="manifest"/>.</summary>
    public static long RowsOf(Manifest manifest)
        => manifest.Fragments.Sum(f => (long)f.PhysicalRows - (long)(f.DeletionFile?.NumDeletedRows ?? 0));

    /// <summary>The fields named by <paramref name="columns"/>, in that order; all when null.</summary>
    /// <exception cref="LanceSchemaException">A column does not exist.</exception>
    public List<Field> Project(IReadOnlyList<string>? columns)
    {
        if (columns is null)
        {
            return Schema.FieldsList.ToList();
        }

        return columns.Select(name => Schema.FieldsList.FirstOrDefault(f => f.Name == name)
            ?? throw new LanceSchemaException($"Column '{name}' does not exist in '{Location}'. Columns: {ColumnList}.")).ToList();
    }

    /// <summary>The column names, comma-separated, for messages.</summary>
    public string ColumnList => string.Join(", ", Schema.FieldsList.Select(f => f.Name));

    /// <summary>The fragment with id <paramref name="id"/>.</summary>
    public DataFragment Fragment(ulong id) => Manifest.Fragments.First(f => f.Id == id);

    /// <summary>Reads columns of a fragment (deleted rows included).</summary>
    public RecordBatch ReadFragment(DataFragment fragment, IReadOnlyList<Field> projection, CancellationToken cancellationToken = default)
    {
        var columns = projection.Select(field => ReadColumn(fragment, field, cancellationToken)).ToList();
        return new RecordBatch(new Schema(projection, null), columns, (int)fragment.PhysicalRows);
    }

    /// <summary>Reads every column of a fragment (deleted rows included), in schema order.</summary>
    public RecordBatch ReadFragment(DataFragment fragment) => ReadFragment(fragment, Schema.FieldsList);

    /// <summary>Reads one column of a fragment (deleted rows included).</summary>
    public IArrowArray ReadColumn(DataFragment fragment, Field field, CancellationToken cancellationToken = default)
    {
        var lanceField = Manifest.Schema.FindField(field.Name)
            ?? throw new LanceSchemaException($"Column '{field.Name}' does not exist in '{Location}'.");
        return ReadColumn(fragment, lanceField, cancellationToken);
    }

    /// <summary>Reads one column of a fragment (deleted rows included).</summary>
    public IArrowArray ReadColumn(DataFragment fragment, LanceField field, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = FilePath(fragment, field);
        return _cache.Columns.GetOrAdd((path, field.Id), static (key, state) =>
        {
            using var reader = DataFileReader.Open(key.File);

            // Vector columns are mapped from the file rather than copied (the cache keeps them alive);
            // not on Windows, where a mapped file could not be deleted by cleanup.
            reader.MapFlatColumns = !OperatingSystem.IsWindows();
            reader.CancellationToken = state.CancellationToken;
            return reader.ReadColumn(state.Field);
        }, (Field: field, CancellationToken: cancellationToken));
    }

    /// <summary>
    /// A fragment's column as arrays in row order: for a vector column whose pages are flat, views
    /// of the data file (one per run of pages lying back to back), so a search reads the page cache
    /// in place and no copy of the column is made or kept in managed memory; otherwise the one
    /// array <see cref="ReadColumn(DataFragment, LanceField, CancellationToken)"/> reads.
    /// </summary>
    public IReadOnlyList<IArrowArray> ReadColumnPieces(DataFragment fragment, Field field)
    {
        var lanceField = Manifest.Schema.FindField(field.Name)
            ?? throw new LanceSchemaException($"Column '{field.Name}' does not exist in '{Location}'.");
        var path = FilePath(fragment, lanceField);
        if (field.DataType is not FixedSizeListType || OperatingSystem.IsWindows() || _cache.Columns.TryGetValue((path, lanceField.Id), out _))
        {
            return [ReadColumn(fragment, lanceField)];
        }

        var pieces = _cache.MappedColumns.GetOrAdd((path, lanceField.Id), static (key, f) =>
        {
            using var reader = DataFileReader.Open(key.File);
            return reader.TryMapFlatColumn(f) ?? [];
        }, lanceField);
        return pieces.Count > 0 ? pieces : [ReadColumn(fragment, lanceField)];
    }

    /// <summary>The deleted row offsets of a fragment.</summary>
    public HashSet<int> DeletedRows(DataFragment fragment)
    {
        if (fragment.DeletionFile is not { } deletion)
        {
            return [];
        }

        return _cache.Deletions.GetOrAdd(DeletionPath(fragment, deletion), p => [.. DeletionFileReader.Read(p)]);
    }

    /// <summary>Remembers the deleted rows of a deletion file just written, so the next read need not decode it.</summary>
    public void RememberDeletedRows(DataFragment fragment, DeletionFileInfo deletion, HashSet<int> rows)
        => _cache.Deletions[DeletionPath(fragment, deletion)] = rows;

    /// <summary>The path of a fragment's deletion file.</summary>
    public string DeletionPath(DataFragment fragment, DeletionFileInfo deletion)
        => System.IO.Path.Combine(Location, VersionNames.DeletionsFolder, deletion.FileName(fragment.Id));

    /// <summary>Per row of the fragment, whether it is not deleted; null when nothing is deleted.</summary>
    public bool[]? LiveRows(DataFragment fragment)
    {
        if (fragment.DeletionFile is not { } deletion)
        {
            return null;
        }

        return _cache.LiveRows.GetOrAdd((fragment.Id, deletion.FileName(fragment.Id)), _ =>
        {
            var live = new bool[fragment.PhysicalRows];
            System.Array.Fill(live, true);
            foreach (var row in DeletedRows(fragment))
            {
                if (row < live.Length)
                {
                    live[row] = false;
                }
            }

            return live;
        });
    }

    // After columns are added a fragment has several files; each field lives in one of them. A
    // nullable field no file holds (added as all-null) reads as nulls from the first file.
    // Files list leaf field ids (as Lance writes format 2.1), so a struct or list is found by its first leaf.
    private string FilePath(DataFragment fragment, LanceField field)
    {
        var leaf = field;
        while (leaf.Children.Count > 0)
        {
            leaf = leaf.Children[0];
        }

        var file = fragment.Files.Count == 1
            ? fragment.Files[0]
            : fragment.Files.FirstOrDefault(f => f.Fields.Contains(leaf.Id) || f.Fields.Contains(field.Id)) ?? fragment.Files[0];
        return System.IO.Path.Combine(Location, VersionNames.DataFolder, file.Path);
    }
}
