namespace Lance.Engine.Index.Scalar;

/// <summary>How a filter reads one fragment.</summary>
internal enum FragmentUse
{
    /// <summary>Answered wholly from indexes.</summary>
    FromIndex,

    /// <summary>Indexes rule rows out; the filter runs over the rest.</summary>
    Narrowed,

    /// <summary>Scanned without an index.</summary>
    Scanned,
}
