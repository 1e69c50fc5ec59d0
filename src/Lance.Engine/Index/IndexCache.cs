using System.Collections.Concurrent;
using Lance.Engine.Format;

namespace Lance.Engine.Index;

/// <summary>
/// The vector indexes (IVF-PQ in this engine's old files and Lance's format; IVF_FLAT, IVF_SQ, IVF_HNSW_SQ) a dataset instance has loaded from <c>_indices/</c>, by index id: an index
/// file never changes once written, so one load serves every version that names it. Emptied when
/// the dataset is disposed. Index files are read through the dataset's object store.
/// Not counted against the column cache's budget: a loaded index holds its PQ codes (one byte per
/// sub-vector per row, e.g. 48 bytes for a 384-d row with 48 sub-vectors, about an eighth of the
/// vectors at most) and centroids, and one index serves every search of the column.
/// </summary>
internal sealed class IndexCache(Dataset.DatasetFiles files)
{
    private readonly ConcurrentDictionary<Guid, IVectorIndex> _indexes = new();

    /// <summary>The dataset's files, whose <c>_indices/</c> hold the index files.</summary>
    public Dataset.DatasetFiles Files { get; } = files;

    /// <summary>The index <paramref name="metadata"/> describes, loaded on first use.</summary>
    public IVectorIndex Load(IndexMetadata metadata)
        => _indexes.GetOrAdd(metadata.Uuid, _ => metadata.DetailsTypeUrl == IndexCatalog.IvfPqTypeUrl
            ? IvfPqFile.Read(Files, Dataset.DatasetFiles.IndexKey(metadata.FolderName))
            : Vector.LanceVectorDetails.Of(metadata)?.Kind == Vector.LanceVectorDetails.IvfPq
                ? Vector.LanceIvfPqReader.Read(Files, metadata)
                : Vector.LanceIvfReader.Read(Files, metadata));

    /// <summary>Keeps an index just built, so the first search need not read its file.</summary>
    public void Add(Guid uuid, IVectorIndex index) => _indexes[uuid] = index;

    /// <summary>Forgets every loaded index.</summary>
    public void Clear() => _indexes.Clear();
}
