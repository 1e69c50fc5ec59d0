namespace Lance.Engine.Dataset;

/// <summary>
/// A fragment's vector column as an exact search reads it (see <see cref="Snapshot.LeaseSearchColumn"/>):
/// leased from the column cache (held, mapped, or read whole because it fits), or streamed chunk by
/// chunk from its file because it does not. Dispose it once the fragment is scored.
/// </summary>
internal sealed class SearchColumn : IDisposable
{
    private SearchColumn(ColumnLease? lease, StreamedVectors? streamed)
    {
        Lease = lease;
        Streamed = streamed;
    }

    /// <summary>The column pinned in the cache, or null when it is streamed.</summary>
    public ColumnLease? Lease { get; }

    /// <summary>The column read chunk by chunk, or null when it is leased.</summary>
    public StreamedVectors? Streamed { get; }

    /// <summary>The column leased from the cache.</summary>
    public static SearchColumn Leased(ColumnLease lease) => new(lease, null);

    /// <summary>The column streamed from its file.</summary>
    public static SearchColumn Streaming(StreamedVectors streamed) => new(null, streamed);

    /// <inheritdoc/>
    public void Dispose()
    {
        Lease?.Dispose();
        Streamed?.Dispose();
    }
}
