using Apache.Arrow;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// The vector columns of an exact search's fragments, taken in fragment order (see
/// <see cref="Snapshot.LeaseSearchColumn"/>). On a remote store, where each column is a set of ranged requests, the
/// next fragments' columns are read while the current one is scored, up to <see cref="RemoteReadAhead"/> ahead, so
/// the requests of several fragments are in flight together instead of one fragment's after another's; only when
/// every column the search reads fits in what is left of the cache's budget (then each is read whole exactly as the
/// one-by-one search would, and nothing is streamed). Elsewhere (a local file is mapped, not fetched) and when the
/// columns do not all fit, each column is leased when it is taken. Dispose it when the search ends: columns read
/// ahead and not taken (the search failed or was cancelled) are released then.
/// </summary>
internal sealed class SearchColumnQueue : IDisposable
{
    /// <summary>How many fragments after the current one a search over a remote store reads ahead.</summary>
    internal const int RemoteReadAhead = 2;

    private readonly Snapshot _snapshot;
    private readonly IList<DataFragment> _fragments;
    private readonly Field _field;
    private readonly CancellationToken _cancellationToken;
    private readonly Task<(SearchColumn Column, long Charged)>?[] _ahead;
    private readonly long[]? _takenBefore;
    private int _next;

    /// <summary>The queue over <paramref name="fragments"/>' column <paramref name="field"/>, with <paramref name="taken"/> bytes of the budget already taken.</summary>
    public SearchColumnQueue(Snapshot snapshot, IList<DataFragment> fragments, Field field, long taken, CancellationToken cancellationToken)
    {
        _snapshot = snapshot;
        _fragments = fragments;
        _field = field;
        _cancellationToken = cancellationToken;
        _ahead = new Task<(SearchColumn, long)>?[fragments.Count];
        if (snapshot.Files.Store.IsRemote && fragments.Count > 1)
        {
            // Each fragment's column is read as if the ones before it had taken exactly their estimate, which is what
            // they take when all of them fit (each is then read whole).
            var before = new long[fragments.Count];
            var total = taken;
            for (var i = 0; i < fragments.Count; i++)
            {
                before[i] = total;
                total += Snapshot.SearchColumnEstimate(fragments[i], field);
            }

            _takenBefore = total <= snapshot.ColumnBudgetBytes ? before : null;
        }
    }

    /// <summary>The next fragment's column, read now or ahead; <paramref name="taken"/> grows by the bytes it charged to the budget.</summary>
    public SearchColumn TakeNext(ref long taken)
    {
        var index = _next++;
        if (_takenBefore is null)
        {
            return _snapshot.LeaseSearchColumn(_fragments[index], _field, ref taken, _cancellationToken);
        }

        // The next fragments' columns the cache does not hold are fetched on threads of their own while this one is
        // read (here, unless it was fetched ahead) and scored; a held column is leased when its turn comes.
        for (var i = index + 1; i < _fragments.Count && i <= index + RemoteReadAhead; i++)
        {
            if (_ahead[i] is null && !_snapshot.HoldsColumn(_fragments[i], _field))
            {
                // A thread of its own: the read blocks it on the requests, and the pool's few threads stay free for their completions.
                var ahead = i;
                _ahead[i] = Task.Factory.StartNew(() => Lease(ahead), _cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }

        var (column, charged) = _ahead[index] is { } pending ? pending.GetAwaiter().GetResult() : Lease(index);
        _ahead[index] = null;
        taken += charged;
        return column;
    }

    // One fragment's column, charged as if the fragments before it had taken exactly their estimates.
    private (SearchColumn Column, long Charged) Lease(int index)
    {
        var taken = _takenBefore![index];
        var column = _snapshot.LeaseSearchColumn(_fragments[index], _field, ref taken, _cancellationToken);
        return (column, taken - _takenBefore[index]);
    }

    /// <summary>Waits for the columns read ahead and not taken, and releases them; their failures are not rethrown (the search has ended).</summary>
    public void Dispose()
    {
        for (var i = 0; i < _ahead.Length; i++)
        {
            if (_ahead[i] is not { } pending)
            {
                continue;
            }

            _ahead[i] = null;
            try
            {
                pending.GetAwaiter().GetResult().Column.Dispose();
            }
            catch (Exception)
            {
                // A read ahead that failed or was cancelled holds nothing; the search's own outcome stands.
            }
        }
    }
}
