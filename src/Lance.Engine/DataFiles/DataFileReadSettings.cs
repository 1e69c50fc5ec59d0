namespace Lance.Engine.DataFiles;

/// <summary>How one <see cref="DataFileReader"/> reads its columns; changed through the reader's properties.</summary>
internal sealed class DataFileReadSettings
{
    /// <summary>
    /// Whether fixed-width columns stored flat without nulls are handed out as views of the mapped
    /// file instead of being read into managed memory (see <see cref="DataFileReader.MapFlatColumns"/>).
    /// </summary>
    public bool MapFlatColumns { get; set; }

    /// <summary>
    /// Below this many bytes of page buffers a column's pages are decoded one after the other rather
    /// than in parallel (1 MiB; tests lower it to decode small columns in parallel).
    /// </summary>
    public long ParallelDecodeMinBytes { get; set; } = 1 << 20;

    /// <summary>
    /// Whether each read is a request over the network: a flat column's pieces are then all requested
    /// at once, asynchronously, straight into the column's buffer (no thread blocked per request, no
    /// copy), rather than read on parallel threads.
    /// </summary>
    public bool RemoteReads { get; set; }

    /// <summary>Checked before each column and each page read, so a long read stops within a page of being cancelled.</summary>
    public CancellationToken CancellationToken { get; set; }
}
