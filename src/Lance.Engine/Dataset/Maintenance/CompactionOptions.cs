namespace Lance.Orm;

/// <summary>Options for <see cref="Lance.Engine.LanceDataset.CompactAsync"/>.</summary>
public sealed record CompactionOptions
{
    /// <summary>Rows per fragment to aim for (LanceDB's default is 1,048,576).</summary>
    public int TargetRowsPerFragment { get; init; } = 1024 * 1024;

    /// <summary>Whether to rewrite fragments with many deleted rows without them.</summary>
    public bool MaterializeDeletions { get; init; } = true;

    /// <summary>The share of deleted rows (0–1) from which a fragment is rewritten (LanceDB's default is 0.1).</summary>
    public double MaterializeDeletionsThreshold { get; init; } = 0.1;
}
