using System.Collections.Generic;

namespace Lance.Orm.Generators.Model;

/// <summary>What validation leaves to emit: the valid columns and embedding bindings of a model.</summary>
/// <param name="Spec">The model.</param>
/// <param name="Columns">The members that become columns, in order.</param>
/// <param name="Bindings">The vectors an embedding function fills, with their sources.</param>
internal sealed record ModelPlan(ModelSpec Spec, IReadOnlyList<ColumnPlan> Columns, IReadOnlyList<BindingPlan> Bindings);

/// <summary>A member that becomes a column.</summary>
/// <param name="Member">The member.</param>
/// <param name="Dimensions">The vector dimension; 0 for other columns.</param>
/// <param name="Precision">A decimal column's precision; 0 for other columns.</param>
/// <param name="Scale">A decimal column's scale.</param>
internal sealed record ColumnPlan(MemberSpec Member, int Dimensions, int Precision = 0, int Scale = 0)
{
    /// <summary>Whether the member is written as a vector (<c>fixed_size_list</c>).</summary>
    public bool IsVector => Dimensions > 0;
}

/// <summary>A vector column filled by an embedding function from a source column.</summary>
/// <param name="Source">The string member that is embedded.</param>
/// <param name="Vector">The vector member.</param>
/// <param name="Function">The embedding function.</param>
/// <param name="Dimensions">The vector dimension.</param>
internal sealed record BindingPlan(MemberSpec Source, MemberSpec Vector, FunctionSpec Function, int Dimensions);
