namespace Lance.Orm;

/// <summary>What a compaction changed.</summary>
/// <param name="FragmentsRemoved">Fragments rewritten away.</param>
/// <param name="FragmentsAdded">Fragments written in their place.</param>
public sealed record CompactionResult(int FragmentsRemoved, int FragmentsAdded);
