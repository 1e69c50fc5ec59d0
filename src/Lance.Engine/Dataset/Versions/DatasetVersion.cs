namespace Lance.Orm;

/// <summary>One committed version of a dataset.</summary>
/// <param name="Version">The version number.</param>
/// <param name="Timestamp">When it was committed.</param>
/// <param name="RowCount">Its number of live rows.</param>
public sealed record DatasetVersion(ulong Version, DateTimeOffset Timestamp, long RowCount);
