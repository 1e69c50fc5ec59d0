namespace Lance.Engine;

/// <summary>The scalar index kinds of Lance's format that this engine reads, builds and uses for filters.</summary>
public enum ScalarIndexKind
{
    /// <summary>A sorted (value, row) list in pages with a min/max lookup: equality and range filters on any orderable column (Lance's <c>BTREE</c>).</summary>
    BTree,

    /// <summary>One row bitmap per distinct value: equality, <c>IN</c> and <c>IS NULL</c> on low-cardinality columns (Lance's <c>BITMAP</c>).</summary>
    Bitmap,

    /// <summary>One row bitmap per list item: <c>array_has_any</c> / <c>array_has_all</c> on list columns (Lance's <c>LABEL_LIST</c>).</summary>
    LabelList,
}
