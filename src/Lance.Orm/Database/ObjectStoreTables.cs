using Lance.Engine.Storage;

namespace Lance.Orm;

/// <summary>The tables of a database in object storage: <c>&lt;name&gt;.lance/</c> prefixes with a manifest under <c>_versions/</c>.</summary>
internal static class ObjectStoreTables
{
    private const string Versions = "/_versions/";

    /// <summary>The names of the tables under the store's root, sorted.</summary>
    public static async Task<IReadOnlyList<string>> NamesAsync(IObjectStore store, string suffix, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            var at = item.Key.IndexOf(Versions, StringComparison.Ordinal);
            if (at > 0 && item.Key.EndsWith(".manifest", StringComparison.Ordinal) && item.Key.LastIndexOf('/', at - 1) < 0
                && item.Key[..at].EndsWith(suffix, StringComparison.Ordinal))
            {
                names.Add(item.Key[..(at - suffix.Length)]);
            }
        }

        return [.. names];
    }

    /// <summary>Whether <paramref name="folder"/> holds a dataset (a manifest under its <c>_versions/</c>).</summary>
    public static async Task<bool> ExistsAsync(IObjectStore store, string folder, CancellationToken cancellationToken)
    {
        await foreach (var item in store.ListAsync(folder + Versions, cancellationToken).ConfigureAwait(false))
        {
            if (item.Key.EndsWith(".manifest", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Deletes every object of the dataset <paramref name="folder"/>.</summary>
    public static async Task DeleteAsync(IObjectStore store, string folder, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var item in store.ListAsync(folder + "/", cancellationToken).ConfigureAwait(false))
        {
            keys.Add(item.Key);
        }

        // Manifests last: a reader never finds a version whose files are already gone.
        foreach (var key in keys.OrderBy(k => k.Contains(Versions, StringComparison.Ordinal) ? 1 : 0))
        {
            await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }
}
