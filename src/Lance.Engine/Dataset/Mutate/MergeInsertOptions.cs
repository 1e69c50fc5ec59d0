namespace Lance.Orm;

/// <summary>What a merge-insert does with matched and unmatched rows (LanceDB's <c>merge_insert</c> builder).</summary>
public sealed record MergeInsertOptions
{
    /// <summary>Replace a table row with the source row that has its key.</summary>
    public bool WhenMatchedUpdateAll { get; init; }

    /// <summary>Insert source rows whose key no table row has.</summary>
    public bool WhenNotMatchedInsertAll { get; init; }

    /// <summary>Delete table rows whose key no source row has.</summary>
    public bool WhenNotMatchedBySourceDelete { get; init; }

    /// <summary>
    /// With <see cref="WhenNotMatchedBySourceDelete"/>: delete only the unmatched table rows for which
    /// this SQL filter holds (e.g. <c>region = 'eu'</c>); null deletes them all.
    /// </summary>
    public string? NotMatchedBySourceCondition { get; init; }

    /// <summary>Update matches and insert the rest (the usual upsert).</summary>
    public static MergeInsertOptions Upsert { get; } = new() { WhenMatchedUpdateAll = true, WhenNotMatchedInsertAll = true };

    /// <summary>Insert only rows whose key is new (insert-if-not-exists).</summary>
    public static MergeInsertOptions InsertIfNotExists { get; } = new() { WhenNotMatchedInsertAll = true };
}

/// <summary>What a merge-insert changed.</summary>
/// <param name="Inserted">Source rows inserted with a new key.</param>
/// <param name="Updated">Table rows replaced by a source row.</param>
/// <param name="Deleted">Table rows deleted because no source row matched.</param>
public sealed record MergeInsertResult(long Inserted, long Updated, long Deleted);
