using Lance.Engine;

namespace Lance.Orm;

/// <summary>
/// Which scalar index to build on a column, in Lance's own format (LanceDB uses it too):
/// <see cref="BTree"/>, <see cref="Bitmap"/> or <see cref="LabelList"/>, optionally named.
/// </summary>
public sealed record ScalarIndexConfig
{
    private ScalarIndexConfig(ScalarIndexKind kind) => Kind = kind;

    /// <summary>The index kind.</summary>
    public ScalarIndexKind Kind { get; }

    /// <summary>The index name; <c>&lt;column&gt;_idx</c> when null.</summary>
    public string? Name { get; init; }

    /// <summary>Whether an index of the same name is rebuilt (LanceDB's default); when false that is an error.</summary>
    public bool Replace { get; init; } = true;

    /// <summary>
    /// A BTREE: equality and ranges (<c>=</c>, <c>&lt;</c>, <c>BETWEEN</c>, <c>IN</c>, <c>IS NULL</c>) on a column of any cardinality
    /// of numbers, strings, booleans, dates, times or timestamps (as LanceDB: not binary or decimal).
    /// </summary>
    public static ScalarIndexConfig BTree() => new(ScalarIndexKind.BTree);

    /// <summary>
    /// A BITMAP: equality, <c>IN</c> and <c>IS NULL</c> on a column with few distinct values (categories, flags) of integers,
    /// strings, binary or booleans (as LanceDB: not floats, decimals, dates, times or timestamps).
    /// </summary>
    public static ScalarIndexConfig Bitmap() => new(ScalarIndexKind.Bitmap);

    /// <summary>A LABEL_LIST: <c>array_has_any</c> / <c>array_has_all</c> on a list column (tags) of what a BITMAP takes.</summary>
    public static ScalarIndexConfig LabelList() => new(ScalarIndexKind.LabelList);
}
