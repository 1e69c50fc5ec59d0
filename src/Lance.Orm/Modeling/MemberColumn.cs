using System.Linq.Expressions;

namespace Lance.Orm;

/// <summary>One mapped member of a model and the column it is stored in; emitted by the source generator.</summary>
/// <param name="Member">The member's name in C#.</param>
/// <param name="Column">The column's name: the <see cref="ColumnAttribute"/> name, else the member name in snake_case.</param>
/// <param name="Nested">For a nested model (a struct column), its own map; null otherwise. A function, so that models referring to each other initialise in any order.</param>
public sealed record MemberColumn(string Member, string Column, Func<ModelColumnMap>? Nested = null)
{
    /// <summary>
    /// For a member marked <see cref="KeyAttribute"/>: a selector of it (<c>x =&gt; (object?)x.Id</c>),
    /// emitted by the generator so lookups by key are translated without reflection; null otherwise.
    /// </summary>
    public LambdaExpression? Key { get; init; }

    /// <summary>Whether the member is (part of) the model's key.</summary>
    public bool IsKey => Key is not null;
}
