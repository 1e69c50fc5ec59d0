namespace Lance.Engine;

/// <summary>An index of a table as <see cref="LanceDatasetIndexing.ListIndicesAsync"/> lists it, spelled as LanceDB's <c>listIndices</c> spells it.</summary>
/// <param name="Name">The index name (<c>&lt;column&gt;_idx</c> unless one was given).</param>
/// <param name="IndexType">The kind as LanceDB lists it: <c>BTree</c>, <c>Bitmap</c>, <c>LabelList</c>, <c>FTS</c>, <c>IvfPq</c>, <c>IvfFlat</c>, <c>IvfSq</c>, <c>IvfHnswSq</c>, …</param>
/// <param name="Columns">The indexed columns (one today, as in LanceDB).</param>
/// <param name="Uuid">The id of the index's first segment (its folder under <c>_indices/</c>).</param>
/// <param name="TypeUrl">The details type recorded in the manifest, which names the kind precisely.</param>
public sealed record IndexDescription(string Name, string IndexType, IReadOnlyList<string> Columns, Guid Uuid, string TypeUrl);
