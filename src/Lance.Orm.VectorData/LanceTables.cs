using System.Collections.Concurrent;
using Lance.Engine;

namespace Lance.Orm.VectorData;

/// <summary>
/// The database behind a store and its collections, connected on first use, with one open
/// <see cref="Table"/> per collection name so that every collection of a store sees the others' writes.
/// </summary>
internal sealed class LanceTables : IAsyncDisposable
{
    private readonly Lazy<Task<Database>> _database;
    private readonly bool _ownsDatabase;
    private readonly ConcurrentDictionary<string, Task<Table>> _open = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexBuild = new(1, 1);

    internal LanceTables(Database database)
    {
        _database = new Lazy<Task<Database>>(Task.FromResult(database));
        Name = database.Uri;
    }

    internal LanceTables(string uri, DatabaseOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        _database = new Lazy<Task<Database>>(() => options is null ? LanceDb.ConnectAsync(uri) : LanceDb.ConnectAsync(uri, options));
        _ownsDatabase = true;
        Name = uri;
    }

    /// <summary>The database's URI (MEVD's store name).</summary>
    internal string Name { get; }

    /// <summary>The database once connected, else null (for <c>GetService</c>, which cannot wait).</summary>
    internal Database? ConnectedDatabase => _database.IsValueCreated && _database.Value.IsCompletedSuccessfully ? _database.Value.Result : null;

    internal Task<Database> DatabaseAsync() => _database.Value;

    internal async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync().ConfigureAwait(false);
        var names = await database.TableNamesAsync(cancellationToken).ConfigureAwait(false);
        return names.Contains(name, StringComparer.Ordinal);
    }

    /// <summary>The open table, opened now if needed.</summary>
    /// <exception cref="LanceTableNotFoundException">There is no such table.</exception>
    internal async Task<Table> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var pending = _open.GetOrAdd(name, n => OpenCoreAsync(n));
        try
        {
            return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (pending.IsFaulted || pending.IsCanceled)
        {
            _open.TryRemove(new KeyValuePair<string, Task<Table>>(name, pending));
            throw;
        }
    }

    private async Task<Table> OpenCoreAsync(string name)
    {
        var database = await DatabaseAsync().ConfigureAwait(false);
        return await database.OpenTableAsync(name).ConfigureAwait(false);
    }

    /// <summary>Creates the table with <paramref name="create"/> unless it exists; either way it is then open.</summary>
    internal async Task<Table> EnsureAsync(string name, Func<Database, Task<Table>> create, CancellationToken cancellationToken)
    {
        if (_open.TryGetValue(name, out var open) && open.IsCompletedSuccessfully)
        {
            return open.Result;
        }

        var database = await DatabaseAsync().ConfigureAwait(false);
        var table = await create(database).ConfigureAwait(false);
        _open[name] = Task.FromResult(table);
        return table;
    }

    /// <summary>
    /// Builds a full-text index on <paramref name="column"/> (LanceDB's default tokenizer) unless one covers it, once even when
    /// collections of this store race: an MEVD hybrid search needs one, and MEVD has no call that builds indexes. Rows written
    /// later need no rebuild to be found (the engine searches rows outside the index too), only to be searched as fast.
    /// </summary>
    internal async Task EnsureFullTextIndexAsync(Table table, string column, CancellationToken cancellationToken)
    {
        if (HasFullTextIndex(await table.ListIndicesAsync(cancellationToken).ConfigureAwait(false), column))
        {
            return;
        }

        await _indexBuild.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another writer may have built it (or taken its name) since this table last looked.
            await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
            var indices = await table.ListIndicesAsync(cancellationToken).ConfigureAwait(false);
            if (HasFullTextIndex(indices, column))
            {
                return;
            }

            // The default name "<column>_idx" may already name a scalar index of the column, which must not be replaced.
            var name = indices.Any(i => i.Name == column + "_idx") ? column + "_fts_idx" : null;
            await table.CreateFtsIndexAsync(column, options: null, name, replace: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _indexBuild.Release();
        }
    }

    private static bool HasFullTextIndex(IReadOnlyList<IndexDescription> indices, string column)
        => indices.Any(i => i.IndexType == "FTS" && i.Columns.Count == 1 && i.Columns[0] == column);

    /// <summary>Drops the table if it exists.</summary>
    internal async Task DropAsync(string name, CancellationToken cancellationToken)
    {
        if (_open.TryRemove(name, out var open) && open.IsCompletedSuccessfully)
        {
            await open.Result.DisposeAsync().ConfigureAwait(false);
        }

        var database = await DatabaseAsync().ConfigureAwait(false);
        try
        {
            await database.DropTableAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (LanceTableNotFoundException)
        {
            // Already gone: the wanted state.
        }
    }

    internal async Task<IReadOnlyList<string>> NamesAsync(CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync().ConfigureAwait(false);
        return await database.TableNamesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _indexBuild.Dispose();
        if (_ownsDatabase && _database.IsValueCreated)
        {
            var database = await _database.Value.ConfigureAwait(false);
            await database.DisposeAsync().ConfigureAwait(false);
        }
    }
}
