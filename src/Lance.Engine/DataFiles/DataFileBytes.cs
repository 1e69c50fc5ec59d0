using Lance.Engine.DataFiles.Legacy;
using Lance.Engine.Format;
using Lance.Engine.Storage;

namespace Lance.Engine.DataFiles;

/// <summary>
/// The bytes of one open data file, for the readers of every file version: ranged reads through
/// the storage seam (<see cref="IObjectReader"/>), views without copying where the store can map
/// (<see cref="IObjectReader.TryMap"/>, the local store's fast path), or a file held in memory.
/// Every range is checked against the file first: a range outside it is corruption, reported as a
/// <see cref="LanceFormatException"/> naming the file.
/// </summary>
/// <remarks>Reads may run on several threads at once (parallel page decoding does).</remarks>
internal sealed class DataFileBytes : ILegacyFileBytes, IDisposable
{
    private readonly IObjectReader? _reader;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _ownsReader;

    /// <summary>The bytes read through <paramref name="reader"/>, disposed with this when <paramref name="ownsReader"/>.</summary>
    public DataFileBytes(IObjectReader reader, string name, bool ownsReader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _ownsReader = ownsReader;
        Name = name;
        Length = reader.Length;
    }

    /// <summary>A file held in memory: reads are slices, nothing is copied.</summary>
    public DataFileBytes(ReadOnlyMemory<byte> bytes, string name)
    {
        _memory = bytes;
        Name = name;
        Length = bytes.Length;
    }

    /// <summary>The file's path, key or name, for messages.</summary>
    public string Name { get; }

    /// <summary>The file's length in bytes.</summary>
    public long Length { get; }

    /// <summary>Whether the file is held in memory (so "mapping" a range is a slice, on every platform).</summary>
    public bool IsInMemory => _reader is null;

    /// <summary>Reads <paramref name="length"/> bytes from <paramref name="position"/> (a slice of a file held in memory).</summary>
    public ReadOnlyMemory<byte> Read(long position, int length)
    {
        CheckRange(position, length);
        if (_reader is null)
        {
            return _memory.Slice((int)position, length);
        }

        var buffer = new byte[length];
        ReadInto(position, buffer);
        return buffer;
    }

    /// <summary>
    /// Reads several ranges, coalescing those that lie back to back (or within
    /// <see cref="CoalesceGap"/> bytes of each other) into one read of the store: a page's buffers
    /// come in one request. The results are in the order of <paramref name="ranges"/>.
    /// </summary>
    public ReadOnlyMemory<byte>[] ReadRanges(IReadOnlyList<(long Position, int Length)> ranges)
    {
        var result = new ReadOnlyMemory<byte>[ranges.Count];
        if (_reader is null || ranges.Count <= 1)
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = Read(ranges[i].Position, ranges[i].Length);
            }

            return result;
        }

        var order = Enumerable.Range(0, ranges.Count).OrderBy(i => ranges[i].Position).ToArray();
        for (var start = 0; start < order.Length;)
        {
            var first = ranges[order[start]].Position;
            var end = first + ranges[order[start]].Length;
            var stop = start + 1;
            while (stop < order.Length && ranges[order[stop]].Position <= end + CoalesceGap
                && Math.Max(end, ranges[order[stop]].Position + ranges[order[stop]].Length) - first <= int.MaxValue)
            {
                end = Math.Max(end, ranges[order[stop]].Position + ranges[order[stop]].Length);
                stop++;
            }

            var whole = Read(first, checked((int)(end - first)));
            for (var k = start; k < stop; k++)
            {
                var (position, length) = ranges[order[k]];
                result[order[k]] = whole.Slice((int)(position - first), length);
            }

            start = stop;
        }

        return result;
    }

    /// <summary>Ranges at most this many bytes apart are read as one (the gap is read and dropped).</summary>
    public const int CoalesceGap = 4096;

    /// <summary>Fills <paramref name="destination"/> with the bytes from <paramref name="position"/>.</summary>
    public void ReadInto(long position, Span<byte> destination)
    {
        CheckRange(position, destination.Length);
        if (_reader is null)
        {
            _memory.Span.Slice((int)position, destination.Length).CopyTo(destination);
            return;
        }

        try
        {
            _reader.Read(position, destination);
        }
        catch (EndOfStreamException e)
        {
            throw new LanceFormatException($"'{Name}' ended early while reading [{position}, {position + destination.Length}): it was truncated.", e);
        }
    }

    /// <summary>
    /// Fills each destination with the bytes from its position, all reads issued at once and awaited
    /// together: for a remote store, whose reads are requests, one blocked thread waits for all of
    /// them and each response is written straight into its destination.
    /// </summary>
    public void ReadConcurrently(IReadOnlyList<(long Position, Memory<byte> Destination)> reads, CancellationToken cancellationToken)
    {
        foreach (var (position, destination) in reads)
        {
            CheckRange(position, destination.Length);
        }

        if (_reader is null)
        {
            foreach (var (position, destination) in reads)
            {
                _memory.Span.Slice((int)position, destination.Length).CopyTo(destination.Span);
            }

            return;
        }

        try
        {
            // Every read is issued at once. A large destination is not populated first (as a local read's is): its pages
            // fault in, huge where the caller advised them (see HugePages), as each response is copied in, on the threads
            // that receive it and while the rest is still arriving, rather than one after another before the requests go out.
            Task.WhenAll(reads.Select(r => _reader.ReadAsync(r.Position, r.Destination, cancellationToken).AsTask())).GetAwaiter().GetResult();
        }
        catch (EndOfStreamException e)
        {
            throw new LanceFormatException($"'{Name}' ended early while reading: it was truncated.", e);
        }
    }

    /// <summary>
    /// The bytes from <paramref name="position"/> without copying: a view of the mapped file (which
    /// lives as long as the memory is reachable), or a slice of a file held in memory; null where the
    /// store cannot map, and on Windows, where a mapped file cannot be deleted.
    /// </summary>
    public ReadOnlyMemory<byte>? TryMap(long position, int length)
    {
        CheckRange(position, length);
        if (_reader is null)
        {
            return _memory.Slice((int)position, length);
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        return _reader.TryMap(position, length)?.Memory;
    }

    /// <summary>Throws unless [<paramref name="position"/>, +<paramref name="length"/>) lies inside the file.</summary>
    public void CheckRange(long position, long length)
    {
        if (position < 0 || length < 0 || position > Length - length)
        {
            throw new LanceFormatException(
                $"'{Name}' is corrupt or truncated: a range [{position}, {position + length}) lies outside the {Length}-byte file.");
        }
    }

    /// <summary>A file position read from disk (u64); anything beyond the file is corruption.</summary>
    public long Position(ulong value, string what) => value <= (ulong)Length
        ? (long)value
        : throw new LanceFormatException($"'{Name}' is corrupt or truncated: the {what} is said to start at byte {value} of a {Length}-byte file.");

    /// <summary>A size read from disk (u64) that must fit the file and one array.</summary>
    public int Size(ulong value, string what) => value <= (ulong)Math.Min(Length, System.Array.MaxLength)
        ? (int)value
        : throw new LanceFormatException($"'{Name}' is corrupt or truncated: the {what} is said to be {value} bytes long in a {Length}-byte file.");

    /// <inheritdoc/>
    public void Dispose()
    {
        // Views already handed out stay valid: each holds its own mapping of the file.
        if (_ownsReader)
        {
            _reader?.Dispose();
        }
    }
}
