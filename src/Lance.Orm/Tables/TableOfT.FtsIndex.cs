using System.Linq.Expressions;
using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Orm;

/// <summary>Full-text indexes on a typed table.</summary>
public sealed partial class Table<T>
{
    /// <summary>
    /// Builds a full-text (inverted) index on the string property <paramref name="column"/> (e.g. <c>x =&gt; x.Text</c>),
    /// in Lance's own format (LanceDB's full-text search uses it too), and commits a new version recording it.
    /// Keyword searches (<see cref="QueryType.FullText"/>) then rank by BM25 from it; rows added later are still found
    /// (tokenized on the fly) until the index is rebuilt.
    /// </summary>
    /// <param name="column">The property.</param>
    /// <param name="options">How text is split and normalised; LanceDB's defaults when null.</param>
    /// <param name="name">The index name; <c>&lt;column&gt;_idx</c> when null.</param>
    /// <param name="replace">Whether an index of that name is rebuilt (the default); when false it is an error.</param>
    /// <param name="cancellationToken">Cancels the build; nothing is committed then.</param>
    /// <exception cref="LanceIndexException">The property is not a string column, the options are not supported, or the name is taken and <paramref name="replace"/> is false; nothing is committed.</exception>
    public Task<FullTextIndexInfo> CreateFtsIndexAsync(
        Expression<Func<T, string?>> column, FullTextIndexOptions? options = null, string? name = null, bool replace = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(column);
        return CreateFtsIndexAsync(ColumnOf(column), options, name, replace, cancellationToken);
    }
}
