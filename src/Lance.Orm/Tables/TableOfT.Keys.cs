using System.Linq.Expressions;

namespace Lance.Orm;

/// <summary>Keys and column names on a typed table: lookups by <see cref="KeyAttribute"/>, merges by key selectors.</summary>
public sealed partial class Table<T>
{
    /// <summary>The SQL name of the column <paramref name="member"/> is stored in (<c>x =&gt; x.Embedding</c> → <c>"embedding"</c>); see <see cref="Columns{T}"/>.</summary>
    /// <exception cref="ArgumentException">The selector does not name a stored member.</exception>
    public string ColumnName<TMember>(Expression<Func<T, TMember>> member) => Columns<T>.Name(member);

    /// <summary>
    /// The row whose <see cref="KeyAttribute"/> member equals <paramref name="key"/>, or null when there is
    /// none (the first such row if the table holds several). The key may be of any type that converts to
    /// the member's (an <c>int</c> for a <c>long</c> key).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no <c>[Key]</c> member, or a composite key.</exception>
    public async Task<T?> GetAsync<TKey>(TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var rows = await KeyQuery([key]).Limit(1).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? default : rows[0];
    }

    /// <summary>
    /// The rows whose <see cref="KeyAttribute"/> member equals one of <paramref name="keys"/>, in the table's
    /// order; keys no row has are left out. One filtered scan (<c>key IN (…)</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no <c>[Key]</c> member, or a composite key.</exception>
    public Task<List<T>> GetManyAsync<TKey>(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.Select(k => (object?)k).ToList();
        return list.Count == 0 ? Task.FromResult(new List<T>()) : KeyQuery(list).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Merges <paramref name="rows"/> into the table by the members <paramref name="on"/> selects
    /// (<c>x =&gt; x.Id</c>, or <c>x =&gt; new { x.Region, x.Sku }</c> for a composite key); an upsert unless
    /// <paramref name="options"/> says otherwise. Computes missing vectors first; one new version.
    /// </summary>
    /// <exception cref="ArgumentException">The selector does not name stored members.</exception>
    /// <exception cref="LanceException">A key appears twice in the rows, or matches several table rows while updating.</exception>
    public Task<MergeInsertResult> MergeInsertAsync<TKey>(
        IEnumerable<T> rows, Expression<Func<T, TKey>> on, MergeInsertOptions? options = null, CancellationToken cancellationToken = default)
        => MergeInsertAsync(rows, Columns<T>.Names(on), options, cancellationToken);

    /// <summary>
    /// Merges <paramref name="rows"/> into the table by the model's <see cref="KeyAttribute"/> members; an
    /// upsert unless <paramref name="options"/> says otherwise. Computes missing vectors first; one new version.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no <c>[Key]</c> member.</exception>
    /// <exception cref="LanceException">A key appears twice in the rows, or matches several table rows while updating.</exception>
    public Task<MergeInsertResult> MergeInsertAsync(IEnumerable<T> rows, MergeInsertOptions? options = null, CancellationToken cancellationToken = default)
    {
        var keys = T.ColumnMap.KeyMembers;
        if (keys.Count == 0)
        {
            throw new InvalidOperationException(
                $"Table '{Name}': model {typeof(T).Name} has no [Key] member, so merge-insert needs the key columns: MergeInsertAsync(rows, x => x.Id).");
        }

        return MergeInsertAsync(rows, keys.Select(k => k.Column).ToArray(), options, cancellationToken);
    }

    /// <summary>A plain query for the rows whose single key member is one of <paramref name="keys"/> (translated like <c>keys.Contains(x.Id)</c>).</summary>
    private LanceQuery<T> KeyQuery(List<object?> keys)
    {
        var members = T.ColumnMap.KeyMembers;
        if (members.Count != 1)
        {
            throw new InvalidOperationException(members.Count == 0
                ? $"Table '{Name}': model {typeof(T).Name} has no [Key] member; mark the member that identifies a row with [Key], or query with Where(x => ...)."
                : $"Table '{Name}': model {typeof(T).Name} has a composite key ({string.Join(", ", members.Select(m => m.Member))}); look rows up with Query().Where(x => ...).");
        }

        var selector = members[0].Key!;
        Expression<Func<List<object?>, object?, bool>> template = (values, value) => values.Contains(value);
        var body = new Substitute(template.Parameters[0], Expression.Constant(keys), template.Parameters[1], selector.Body).Visit(template.Body);
        return Query().Where(Expression.Lambda<Func<T, bool>>(body, selector.Parameters[0]));
    }

    /// <summary>Replaces the template's two parameters with the key list and the key selector's body.</summary>
    private sealed class Substitute(ParameterExpression values, Expression list, ParameterExpression value, Expression member) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node)
            => node == values ? list : node == value ? member : base.VisitParameter(node);
    }
}
