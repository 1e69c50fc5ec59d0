namespace Lance.Engine;

/// <summary>What <see cref="LanceDatasetIndexing.IndexStatsAsync"/> reports about an index, as LanceDB's <c>indexStats</c> does.</summary>
/// <param name="NumIndexedRows">Live rows of the fragments the index covers.</param>
/// <param name="NumUnindexedRows">Live rows of the fragments it does not cover (appended since it was built or optimised); searches and filters scan them.</param>
/// <param name="IndexType">The kind as LanceDB's statistics name it: <c>BTREE</c>, <c>BITMAP</c>, <c>LABEL_LIST</c>, <c>FTS</c>, <c>IVF_PQ</c>, <c>IVF_HNSW_SQ</c>, …</param>
/// <param name="DistanceType">For vector indexes the distance they serve (<c>l2</c>, <c>cosine</c>, <c>dot</c>, <c>hamming</c>); null for scalar and full-text indexes.</param>
/// <param name="NumIndices">How many parts (manifest entries, e.g. deltas appended by an optimise) make up the index.</param>
public sealed record IndexStatistics(long NumIndexedRows, long NumUnindexedRows, string IndexType, string? DistanceType, int NumIndices);
