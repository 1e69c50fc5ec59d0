namespace Lance.Orm;

/// <summary>
/// Which column each member of a model is stored in, as the source generator worked it out at
/// compile time (<see cref="ILanceModel{TSelf}.ColumnMap"/>). LINQ filters, projections, updates and
/// index selectors find their columns here, so nothing works the names out again by reflection.
/// </summary>
public sealed class ModelColumnMap
{
    private readonly Dictionary<string, MemberColumn> _byMember;

    /// <summary>Creates a map; emitted by the source generator.</summary>
    /// <param name="members">The mapped members, in column order.</param>
    public ModelColumnMap(IReadOnlyList<MemberColumn> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        Members = members;
        _byMember = members.ToDictionary(m => m.Member, StringComparer.Ordinal);
    }

    /// <summary>The mapped members, in column order.</summary>
    public IReadOnlyList<MemberColumn> Members { get; }

    /// <summary>The members marked <see cref="KeyAttribute"/>, in column order (empty when the model has no key).</summary>
    public IReadOnlyList<MemberColumn> KeyMembers => field ??= Members.Where(m => m.IsKey).ToArray();

    /// <summary>The column <paramref name="member"/> is stored in; null when the member is not mapped.</summary>
    public string? ColumnOf(string member) => _byMember.TryGetValue(member, out var mapped) ? mapped.Column : null;

    /// <summary>The map of the nested model <paramref name="member"/> holds; null when it holds no nested model.</summary>
    public ModelColumnMap? NestedOf(string member) => _byMember.TryGetValue(member, out var mapped) ? mapped.Nested?.Invoke() : null;
}
