namespace Lance.Engine.Format;

/// <summary>
/// One field of a Lance schema. Lance stores a schema as a flat list of fields in pre-order, each
/// naming its parent by id; this class keeps both the flat identity (<see cref="Id"/>,
/// <see cref="ParentId"/>) and the tree (<see cref="Children"/>) so that callers need not rebuild it.
/// </summary>
internal sealed class LanceField
{
    /// <summary>Creates a field.</summary>
    /// <param name="id">The field id, unique within the schema and stable across versions.</param>
    /// <param name="parentId">The parent's id, or -1 for a top-level field.</param>
    /// <param name="name">The column (or child) name.</param>
    /// <param name="logicalType">Lance's type string, e.g. <c>int64</c> or <c>fixed_size_list:float:384</c>.</param>
    /// <param name="nullable">Whether the field may hold nulls.</param>
    public LanceField(int id, int parentId, string name, string logicalType, bool nullable)
    {
        Id = id;
        ParentId = parentId;
        Name = name;
        LogicalType = logicalType;
        Nullable = nullable;
    }

    /// <summary>The field id, unique within the schema and stable across versions.</summary>
    public int Id { get; }

    /// <summary>The parent's id, or -1 for a top-level field.</summary>
    public int ParentId { get; }

    /// <summary>The column (or child) name.</summary>
    public string Name { get; }

    /// <summary>Lance's type string, e.g. <c>int64</c>, <c>string</c> or <c>fixed_size_list:float:384</c>.</summary>
    public string LogicalType { get; }

    /// <summary>Whether the field may hold nulls.</summary>
    public bool Nullable { get; }

    /// <summary>Child fields (lists and structs only; a fixed-size list of a primitive has none).</summary>
    public IList<LanceField> Children { get; } = new List<LanceField>();

    /// <summary>Field metadata; Lance stores values as bytes, Arrow as strings (UTF-8).</summary>
    public IDictionary<string, byte[]> Metadata { get; } = new Dictionary<string, byte[]>(StringComparer.Ordinal);

    /// <summary>Whether the field has a column of its own in a data file (it is not a struct or list).</summary>
    public bool IsLeaf => Children.Count == 0;

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {LogicalType}{(Nullable ? "" : " not null")} (id {Id})";
}
