using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine.Index.Scalar;

/// <summary>
/// Loads scalar indexes from <c>_indices/&lt;uuid&gt;/</c>: a BTREE's <c>page_data.lance</c> (the
/// <c>values</c> and <c>ids</c> columns, one row per indexed row) and a BITMAP's
/// <c>bitmap_page_lookup.lance</c> (<c>keys</c> and <c>bitmaps</c>, one serialised row set per value).
/// An index file never changes once written, so a loaded index is kept per dataset instance by id.
/// </summary>
internal static class ScalarIndexReader
{
    private static readonly ConditionalWeakTable<DatasetFiles, ConcurrentDictionary<Guid, ScalarIndexData>> Loaded = [];

    /// <summary>The index <paramref name="metadata"/> names, loaded on first use.</summary>
    /// <exception cref="LanceFormatException">The index files are missing a column or hold something else.</exception>
    public static ScalarIndexData Load(DatasetFiles files, Manifest manifest, IndexMetadata metadata, ScalarIndexKind kind, string column)
    {
        var cache = Loaded.GetValue(files, _ => new ConcurrentDictionary<Guid, ScalarIndexData>());
        return cache.GetOrAdd(metadata.Uuid, _ => Read(files, manifest, metadata, kind, column));
    }

    /// <summary>Keeps an index just written, so the first query need not read its files.</summary>
    public static void Remember(DatasetFiles files, Guid uuid, ScalarIndexData index)
        => Loaded.GetValue(files, _ => new ConcurrentDictionary<Guid, ScalarIndexData>())[uuid] = index;

    private static ScalarIndexData Read(DatasetFiles files, Manifest manifest, IndexMetadata metadata, ScalarIndexKind kind, string column)
    {
        var folder = DatasetFiles.IndexFolder(metadata.FolderName);
        if (kind == ScalarIndexKind.BTree)
        {
            var pages = ReadFile(files, folder + ScalarIndexFormat.BTreePagesFile, "values", "ids");
            var ids = Addresses(pages.Column(1), files.Describe(folder + ScalarIndexFormat.BTreePagesFile));
            var starts = new int[ids.Length + 1];
            for (var i = 0; i < starts.Length; i++)
            {
                starts[i] = i;
            }

            return ScalarIndexData.Create(kind, column, pages.Column(0), starts, ids, files.Location);
        }

        var key = folder + ScalarIndexFormat.BitmapFile;
        var name = files.Describe(key);
        var rows = manifest.Fragments.ToDictionary(f => (uint)f.Id, f => (long)f.PhysicalRows);
        RecordBatch lookup;
        ulong[] listNulls = [];
        using (var reader = files.OpenData(key))
        {
            lookup = reader.Read(["keys", "bitmaps"]);
            if (kind == ScalarIndexKind.LabelList && reader.Schema.Metadata.ContainsKey(ScalarIndexFormat.LabelListNullsKey))
            {
                // Version 1 (LanceDB's and ours): the rows whose list is null, so that a rewrite after compaction keeps them.
                var bytes = Vector.IndexFileBuffers.NamedBuffer(reader, ScalarIndexFormat.LabelListNullsKey, name);
                listNulls = RowAddressSets.Read(bytes, f => rows.TryGetValue(f, out var n) ? n : null, name);
            }
        }

        var bitmaps = lookup.Column(1) as BinaryArray
            ?? throw new LanceFormatException($"The bitmaps column of {name} is {lookup.Column(1).Data.DataType.Name}, not binary.");
        var sets = new ulong[bitmaps.Length][];
        var offsets = new int[bitmaps.Length + 1];
        for (var i = 0; i < bitmaps.Length; i++)
        {
            sets[i] = bitmaps.IsNull(i) ? [] : RowAddressSets.Read(bitmaps.GetBytes(i), f => rows.TryGetValue(f, out var n) ? n : null, name);
            offsets[i + 1] = offsets[i] + sets[i].Length;
        }

        var all = new ulong[offsets[^1]];
        for (var i = 0; i < sets.Length; i++)
        {
            sets[i].CopyTo(all, offsets[i]);
        }

        var data = ScalarIndexData.Create(kind, column, lookup.Column(0), offsets, all, files.Location);
        data.ListNullAddresses = listNulls;
        return data;
    }

    private static RecordBatch ReadFile(DatasetFiles files, string key, params string[] columns)
    {
        using var reader = files.OpenData(key);
        return reader.Read(columns);
    }

    private static ulong[] Addresses(IArrowArray array, string name)
    {
        var ids = array as UInt64Array ?? throw new LanceFormatException($"The ids column of {name} is {array.Data.DataType.Name}, not uint64.");
        var result = new ulong[ids.Length];
        ids.Values.CopyTo(result);
        return result;
    }
}
