using System.Runtime.CompilerServices;

namespace Lance.Orm.Ingest;

/// <summary>
/// Cuts a stream of rows into batches of at most <c>maxRows</c> rows and about <c>maxBytes</c> bytes,
/// reusing one buffer: a batch is only valid until the next is asked for. The first batch is small
/// (a probe); after each batch the caller says how many bytes it became, and the row limit follows.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal sealed class RowBatcher<T>
{
    /// <summary>Rows in the first batch, before any row's size is known.</summary>
    internal const int ProbeRows = 64;

    private readonly int _maxRows;
    private readonly long _maxBytes;
    private readonly string _tableName;
    private int _limit;

    public RowBatcher(int maxRows, long maxBytes, string tableName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _maxRows = maxRows;
        _maxBytes = maxBytes;
        _tableName = tableName;
        _limit = Math.Min(maxRows, ProbeRows);
    }

    /// <summary>The most rows the next batch takes.</summary>
    public int RowLimit => _limit;

    /// <summary>Tells the batcher that <paramref name="rows"/> rows became <paramref name="bytes"/> bytes of Arrow data.</summary>
    public void Observe(int rows, long bytes)
    {
        if (rows <= 0)
        {
            return;
        }

        var perRow = Math.Max(1, bytes / rows);
        _limit = (int)Math.Clamp(_maxBytes / perRow, 1, _maxRows);
    }

    /// <summary>The batches of <paramref name="rows"/>, each with the index (from 0) of its first row.</summary>
    /// <exception cref="ArgumentException">A row is null.</exception>
    public async IAsyncEnumerable<(ReadOnlyMemory<T> Rows, long First)> ReadAsync(IAsyncEnumerable<T> rows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var buffer = new T[_maxRows];
        var count = 0;
        long index = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (row is null)
            {
                throw new ArgumentException(
                    $"Row {index} of the rows added to table '{_tableName}' is null; nothing was written. Remove the null row.", nameof(rows));
            }

            buffer[count++] = row;
            index++;
            if (count >= _limit)
            {
                yield return (buffer.AsMemory(0, count), index - count);
                Array.Clear(buffer, 0, count); // the rows are Arrow now: let them go
                count = 0;
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        if (count > 0)
        {
            yield return (buffer.AsMemory(0, count), index - count);
            Array.Clear(buffer, 0, count);
        }
    }

    /// <summary>A synchronous sequence as an asynchronous one (no thread hops: each row is there at once).</summary>
    public static async IAsyncEnumerable<T> FromEnumerable(IEnumerable<T> rows, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in rows)
        {
            yield return row;
        }

        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
