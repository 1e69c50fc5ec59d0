namespace Lance.Engine.Dataset;

/// <summary>
/// What a commit does, named after the Lance transaction operation it is recorded as (so LanceDB,
/// rebasing its own commit over ours, applies its own conflict rules to it).
/// </summary>
internal enum TransactionKind
{
    /// <summary>New fragments only (Lance <c>Append</c>).</summary>
    Append,

    /// <summary>Deletion files on existing fragments, or whole fragments removed (Lance <c>Delete</c>).</summary>
    Delete,

    /// <summary>Rows deleted from their fragments and written again, changed, as new ones (Lance <c>Update</c>, also merge-insert).</summary>
    Update,

    /// <summary>Every fragment (and maybe the schema) replaced (Lance <c>Overwrite</c>, also a new dataset).</summary>
    Overwrite,

    /// <summary>Fragments rewritten into others without changing rows (Lance <c>Rewrite</c>, compaction).</summary>
    Rewrite,

    /// <summary>New columns: a new schema and fragments with more files (Lance <c>Merge</c>).</summary>
    Merge,

    /// <summary>A schema with columns dropped or renamed (Lance <c>Project</c>).</summary>
    Project,

    /// <summary>An older version made the newest again (Lance <c>Restore</c>).</summary>
    Restore,
}
