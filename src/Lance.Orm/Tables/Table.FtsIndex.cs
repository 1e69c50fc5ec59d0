using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Orm;

/// <summary>Full-text indexes on a table.</summary>
public partial class Table
{
    /// <summary>
    /// Builds a full-text (inverted) index on the string column <paramref name="column"/>, in Lance's own format
    /// (LanceDB's full-text search uses it too), and commits a new version recording it. Keyword searches
    /// (<see cref="QueryType.FullText"/>) then rank by BM25 from it; rows added later are still found (tokenized on
    /// the fly) until the index is rebuilt.
    /// </summary>
    /// <param name="column">The column.</param>
    /// <param name="options">How text is split and normalised; LanceDB's defaults when null.</param>
    /// <param name="name">The index name; <c>&lt;column&gt;_idx</c> when null.</param>
    /// <param name="replace">Whether an index of that name is rebuilt (the default); when false it is an error.</param>
    /// <param name="cancellationToken">Cancels the build; nothing is committed then.</param>
    /// <exception cref="LanceIndexException">No such column, not a string column, unsupported options, or the name is taken and <paramref name="replace"/> is false; nothing is committed.</exception>
    public Task<FullTextIndexInfo> CreateFtsIndexAsync(
        string column, FullTextIndexOptions? options = null, string? name = null, bool replace = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        return LanceTelemetry.TraceAsync(this, "create_fts_index", () => Dataset.CreateFtsIndexAsync(column, options, name, replace, cancellationToken));
    }
}
