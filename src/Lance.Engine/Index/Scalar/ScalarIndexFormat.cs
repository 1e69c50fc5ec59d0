using Lance.Engine.Format;

namespace Lance.Engine.Index.Scalar;

/// <summary>
/// Names fixed by Lance's scalar index format: the index details type recorded in the manifest and
/// the files under <c>_indices/&lt;uuid&gt;/</c> (each a Lance data file).
/// </summary>
internal static class ScalarIndexFormat
{
    /// <summary>The prefix Lance writes before a details message name in the manifest.</summary>
    public const string TypeUrlPrefix = "type.googleapis.com/";

    /// <summary>The details message of a BTREE index (empty).</summary>
    public const string BTreeDetails = "lance.table.BTreeIndexDetails";

    /// <summary>The details message of a BITMAP index (empty).</summary>
    public const string BitmapDetails = "lance.table.BitmapIndexDetails";

    /// <summary>The details message of a LABEL_LIST index (empty).</summary>
    public const string LabelListDetails = "lance.table.LabelListIndexDetails";

    /// <summary>BTREE: the sorted values and row addresses, in pages of <see cref="BTreePageRows"/> rows (columns <c>values</c>, <c>ids</c>).</summary>
    public const string BTreePagesFile = "page_data.lance";

    /// <summary>BTREE: one row per page (columns <c>min</c>, <c>max</c>, <c>null_count</c>, <c>page_idx</c>; schema metadata <c>batch_size</c>).</summary>
    public const string BTreeLookupFile = "page_lookup.lance";

    /// <summary>BITMAP and LABEL_LIST: one row per distinct value (columns <c>keys</c>, <c>bitmaps</c>).</summary>
    public const string BitmapFile = "bitmap_page_lookup.lance";

    /// <summary>LABEL_LIST: the schema metadata key whose value is the global buffer holding the null lists' row set.</summary>
    public const string LabelListNullsKey = "lance:label_list_nulls";

    /// <summary>The index version written for <paramref name="kind"/>: 1 for a LABEL_LIST (its null lists recorded), else 0.</summary>
    public static int Version(ScalarIndexKind kind) => kind == ScalarIndexKind.LabelList ? 1 : 0;

    /// <summary>The rows of a BTREE page that Lance writes by default.</summary>
    public const int BTreePageRows = 4096;

    /// <summary>The kind of a manifest's index entry, or null when it is not a scalar index of a kind this engine reads.</summary>
    public static ScalarIndexKind? KindOf(IndexMetadata metadata) => MessageName(metadata.DetailsTypeUrl) switch
    {
        BTreeDetails => ScalarIndexKind.BTree,
        BitmapDetails => ScalarIndexKind.Bitmap,
        LabelListDetails => ScalarIndexKind.LabelList,
        _ => null,
    };

    /// <summary>The type URL recorded for <paramref name="kind"/>.</summary>
    public static string TypeUrl(ScalarIndexKind kind) => TypeUrlPrefix + kind switch
    {
        ScalarIndexKind.BTree => BTreeDetails,
        ScalarIndexKind.Bitmap => BitmapDetails,
        _ => LabelListDetails,
    };

    /// <summary>The name LanceDB's explain plans and index listings give <paramref name="kind"/>.</summary>
    public static string DisplayName(ScalarIndexKind kind) => kind switch
    {
        ScalarIndexKind.BTree => "BTree",
        ScalarIndexKind.Bitmap => "Bitmap",
        _ => "LabelList",
    };

    private static string MessageName(string typeUrl) => typeUrl[(typeUrl.LastIndexOf('/') + 1)..];
}
