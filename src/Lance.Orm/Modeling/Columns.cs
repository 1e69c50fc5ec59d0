using System.Linq.Expressions;

namespace Lance.Orm;

/// <summary>
/// The SQL column names of a model's members, as the source generator mapped them
/// (<c>[Column("sku")]</c> or the member name in snake_case): for SQL filters, <c>Select</c>,
/// indexes and anything else that takes a column name. <c>Columns&lt;Doc&gt;.Name(x =&gt; x.Embedding)</c>
/// is <c>"embedding"</c>; a nested member (<c>x =&gt; x.Meta.Region</c>) is its dotted path <c>"meta.region"</c>.
/// </summary>
/// <typeparam name="T">The model.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types",
    Justification = "The model is named once, Columns<Doc>.Name(x => x.Text), and the lambda's parameter type comes from it.")]
public static class Columns<T>
    where T : ILanceModel<T>
{
    /// <summary>The column <paramref name="member"/> (<c>x =&gt; x.Text</c>) is stored in.</summary>
    /// <exception cref="ArgumentException">The selector does not name a stored member of <typeparamref name="T"/>.</exception>
    public static string Name<TMember>(Expression<Func<T, TMember>> member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Resolve(member.Body, member.Parameters[0], member);
    }

    /// <summary>
    /// The columns <paramref name="members"/> names, in order: one member (<c>x =&gt; x.Id</c>) or
    /// several as an anonymous type (<c>x =&gt; new { x.Region, x.Sku }</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A part of the selector is not a stored member of <typeparamref name="T"/>.</exception>
    public static IReadOnlyList<string> Names<TMembers>(Expression<Func<T, TMembers>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var body = StripConvert(members.Body);
        return body switch
        {
            NewExpression { Arguments.Count: > 0 } created => created.Arguments.Select(a => Resolve(a, members.Parameters[0], members)).ToArray(),
            MemberInitExpression { NewExpression.Arguments.Count: 0 } init when init.Bindings.All(b => b is MemberAssignment) =>
                init.Bindings.Select(b => Resolve(((MemberAssignment)b).Expression, members.Parameters[0], members)).ToArray(),
            _ => [Resolve(body, members.Parameters[0], members)],
        };
    }

    private static string Resolve(Expression e, ParameterExpression row, LambdaExpression selector)
    {
        var chain = new List<string>();
        var current = StripConvert(e);
        while (current is MemberExpression { Expression: { } owner } member)
        {
            chain.Add(member.Member.Name);
            current = StripConvert(owner);
        }

        if (current != row || chain.Count == 0)
        {
            throw new ArgumentException(
                $"The selector {selector} must name members of {typeof(T).Name}, like x => x.Text or x => new {{ x.Region, x.Sku }}.", nameof(selector));
        }

        chain.Reverse();
        var map = T.ColumnMap;
        var path = new List<string>(chain.Count);
        foreach (var name in chain)
        {
            var column = map?.ColumnOf(name) ?? throw new ArgumentException(
                $"{typeof(T).Name}: '{string.Join('.', chain)}' is not stored in a column (it is ignored, computed, or not a member of a nested model).", nameof(selector));
            path.Add(column);
            map = map.NestedOf(name);
        }

        return string.Join('.', path);
    }

    private static Expression StripConvert(Expression e) =>
        e is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert ? StripConvert(convert.Operand) : e;
}
