using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Writes to a stream while counting the position itself, so that output streams which cannot
/// seek or report their position still get correct buffer offsets.
/// </summary>
internal sealed class FileSink
{
    private static readonly byte[] Zeros = new byte[64];
    private readonly Stream _stream;
    private readonly CancellationToken _cancellationToken;

    /// <summary>Wraps <paramref name="stream"/>; positions count from 0 at this point.</summary>
    /// <param name="stream">Where the bytes go.</param>
    /// <param name="cancellationToken">Checked before every write, so a large file stops within a page of being cancelled.</param>
    public FileSink(Stream stream, CancellationToken cancellationToken = default)
    {
        _stream = stream;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The number of bytes written so far.</summary>
    public long Position { get; private set; }

    /// <summary>Writes <paramref name="bytes"/> and returns where they start.</summary>
    public long Write(ReadOnlySpan<byte> bytes)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        long start = Position;
        _stream.Write(bytes);
        Position += bytes.Length;
        return start;
    }

    /// <summary>Pads with zeros to a multiple of <paramref name="alignment"/> (at most 64), then writes.</summary>
    public long WriteAligned(ReadOnlySpan<byte> bytes, int alignment)
    {
        int pad = (int)((alignment - (Position % alignment)) % alignment);
        if (pad > 0)
        {
            Write(Zeros.AsSpan(0, pad));
        }

        return Write(bytes);
    }
}
