namespace Lance.Engine.Index.FullText;

/// <summary>A full-text index as <see cref="LanceDatasetFullText.CreateFtsIndexAsync"/> reports it.</summary>
/// <param name="Name">The index name (<c>&lt;column&gt;_idx</c> unless given).</param>
/// <param name="Column">The indexed column.</param>
/// <param name="Uuid">The index id (its folder under <c>_indices/</c>).</param>
/// <param name="IndexedRows">The documents the index holds (live rows with a non-null text).</param>
/// <param name="Tokens">The distinct tokens of those documents.</param>
/// <param name="SizeBytes">The index files' size in bytes.</param>
public sealed record FullTextIndexInfo(string Name, string Column, Guid Uuid, long IndexedRows, long Tokens, long SizeBytes);
