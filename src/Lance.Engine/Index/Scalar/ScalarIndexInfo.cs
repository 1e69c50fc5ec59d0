namespace Lance.Engine;

/// <summary>A scalar index as <see cref="LanceDatasetIndexing.CreateScalarIndexAsync"/> and <see cref="LanceDatasetIndexing.ListScalarIndices"/> report it.</summary>
/// <param name="Name">The index name (<c>&lt;column&gt;_idx</c> unless given).</param>
/// <param name="Column">The indexed column.</param>
/// <param name="Kind">BTREE, BITMAP or LABEL_LIST.</param>
/// <param name="Uuid">The index id (its folder under <c>_indices/</c>).</param>
/// <param name="IndexedRows">Rows the index holds (deleted rows drop out of results but stay counted until the index is rebuilt).</param>
/// <param name="UnindexedRows">Live rows of fragments the index does not cover (scanned by filters).</param>
/// <param name="DistinctValues">Distinct non-null values.</param>
/// <param name="SizeBytes">The index files' size in bytes (0 when not known).</param>
/// <param name="MemoryBytes">What the loaded index holds in memory, roughly.</param>
public sealed record ScalarIndexInfo(string Name, string Column, ScalarIndexKind Kind, Guid Uuid, long IndexedRows, long UnindexedRows, long DistinctValues, long SizeBytes, long MemoryBytes);
