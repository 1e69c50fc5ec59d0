namespace Lance.Engine.Index.FullText;

/// <summary>
/// The large buffers of the posting lists table's batches (posting blocks, position chunks and their offsets), reused
/// once the file writer no longer holds the batch that filled them: later batches then write into memory that is already
/// mapped instead of fresh pages (each first touch of a fresh 4 KiB page is a page fault, about a third of the batch
/// encoder's time before) and the managed heap sees a few large arrays instead of new ones per batch. A buffer is handed
/// back only when nothing refers to it any more (see <see cref="Lance.Engine.DataFiles.V21.File21Writer.FirstHeldRow"/>).
/// Thread-safe.
/// </summary>
internal sealed class BatchBufferPool
{
    private readonly List<byte[]> _free = [];
    private readonly Lock _gate = new();
    private readonly int _maxFree;

    /// <summary>
    /// A pool that keeps at most <paramref name="maxFree"/> free buffers (the default is enough for the batches in flight:
    /// the one being encoded, two queued, the ones the writer still holds); 0 keeps none, so nothing is reused.
    /// </summary>
    public BatchBufferPool(int maxFree = 32)
    {
        _maxFree = maxFree;
    }

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes, not zeroed: a free one (the smallest that fits) or a new one.</summary>
    public byte[] Rent(long bytes)
    {
        var size = (int)Math.Clamp(bytes, 64, Array.MaxLength);
        lock (_gate)
        {
            var best = -1;
            for (var i = 0; i < _free.Count; i++)
            {
                if (_free[i].Length >= size && (best < 0 || _free[i].Length < _free[best].Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                var buffer = _free[best];
                _free.RemoveAt(best);
                return buffer;
            }
        }

        // A little more than asked, so that a later batch of about the same size fits.
        return GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, size + (size / 8L)));
    }

    /// <summary>Hands <paramref name="buffer"/> back; the caller and everything it gave the buffer to no longer use it.</summary>
    public void Return(byte[] buffer)
    {
        lock (_gate)
        {
            if (_maxFree == 0)
            {
                return;
            }

            if (_free.Count == _maxFree)
            {
                // Keep the larger ones: they fit more requests.
                var smallest = 0;
                for (var i = 1; i < _free.Count; i++)
                {
                    if (_free[i].Length < _free[smallest].Length)
                    {
                        smallest = i;
                    }
                }

                if (_free[smallest].Length >= buffer.Length)
                {
                    return;
                }

                _free.RemoveAt(smallest);
            }

            _free.Add(buffer);
        }
    }
}
