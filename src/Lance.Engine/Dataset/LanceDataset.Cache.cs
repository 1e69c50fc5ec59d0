namespace Lance.Engine;

/// <summary>What the dataset's column cache holds, for telemetry.</summary>
public sealed partial class LanceDataset
{
    /// <summary>The bytes of decoded columns this instance's cache holds now (at most about <see cref="CacheBudgetBytes"/> once no query pins them).</summary>
    public long CachedBytes => _cache.Columns.CachedBytes;
}
