namespace Lance.Engine.Index.Scalar;

/// <summary>Counts of what a filter plan did, fragment by fragment (for explain output).</summary>
internal sealed class ScalarFilterStats
{
    private long _indexedFragments;
    private long _narrowedFragments;
    private long _scannedFragments;
    private long _scannedRows;

    /// <summary>Fragments answered wholly from indexes.</summary>
    public long IndexedFragments => Interlocked.Read(ref _indexedFragments);

    /// <summary>Fragments where indexes ruled rows out and the filter ran over the rest.</summary>
    public long NarrowedFragments => Interlocked.Read(ref _narrowedFragments);

    /// <summary>Fragments scanned without an index.</summary>
    public long ScannedFragments => Interlocked.Read(ref _scannedFragments);

    /// <summary>Rows of the fragments that the filter read (narrowed or scanned).</summary>
    public long ScannedRows => Interlocked.Read(ref _scannedRows);

    /// <summary>Counts one fragment of <paramref name="rows"/> rows.</summary>
    public void Count(bool indexed, bool narrowed, long rows)
    {
        if (indexed)
        {
            Interlocked.Increment(ref _indexedFragments);
            return;
        }

        if (narrowed)
        {
            Interlocked.Increment(ref _narrowedFragments);
        }
        else
        {
            Interlocked.Increment(ref _scannedFragments);
        }

        Interlocked.Add(ref _scannedRows, rows);
    }
}
