namespace Lance.Engine;

/// <summary>Where a query's filter runs relative to its vector search.</summary>
public enum FilterPlacement
{
    /// <summary>The query has no filter.</summary>
    None,

    /// <summary>The filter picks the rows first; only those are searched (or, for a scan, returned).</summary>
    Prefilter,

    /// <summary>The search ranks rows first; the filter then drops some of the ranked rows.</summary>
    Postfilter,
}
