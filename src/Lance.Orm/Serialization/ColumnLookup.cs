using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>Finds a model member's column in a record batch and checks its Arrow type.</summary>
internal static class ColumnLookup
{
    /// <summary>
    /// The column named <paramref name="column"/>, or null when the batch has none. Throws when the
    /// column exists with a type other than <paramref name="expected"/>.
    /// </summary>
    public static ArrayData? Find(RecordBatch batch, string column, IArrowType expected, string modelType, string member)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var index = batch.Schema.GetFieldIndex(column, StringComparer.Ordinal);
        if (index < 0)
        {
            return null;
        }

        var data = batch.Column(index).Data;
        if (!Matches(data.DataType, expected))
        {
            throw new LanceSchemaException(
                $"Column '{column}' has Arrow type {ArrowTypeText.Describe(data.DataType)}, but {modelType}.{member} expects " +
                $"{ArrowTypeText.Describe(expected)} (expected {ArrowTypeText.Describe(expected)}, actual {ArrowTypeText.Describe(data.DataType)}). " +
                $"Change the type of {modelType}.{member} to match the table, or map it to another column with [Column(\"...\")].");
        }

        return data;
    }

    /// <summary>The validity bitmap of <paramref name="data"/>, empty when every slot is valid.</summary>
    public static ReadOnlySpan<byte> Validity(ArrayData data) =>
        data.NullCount == 0 || data.Buffers[0].IsEmpty ? default : data.Buffers[0].Span;

    private static bool Matches(IArrowType actual, IArrowType expected) => (actual, expected) switch
    {
        (FixedSizeListType a, FixedSizeListType e) => a.ListSize == e.ListSize && Matches(a.ValueDataType, e.ValueDataType),
        (ListType a, ListType e) => Matches(a.ValueDataType, e.ValueDataType),
        (DictionaryType a, DictionaryType e) => Matches(a.IndexType, e.IndexType) && Matches(a.ValueType, e.ValueType),
        (TimestampType a, TimestampType e) => a.Unit == e.Unit && string.IsNullOrEmpty(a.Timezone) == string.IsNullOrEmpty(e.Timezone),
        (Time64Type a, Time64Type e) => a.Unit == e.Unit,
        (DurationType a, DurationType e) => a.Unit == e.Unit,
        (Decimal128Type a, Decimal128Type e) => a.Scale == e.Scale,
        (FixedSizeBinaryType a, FixedSizeBinaryType e) => a.ByteWidth == e.ByteWidth,

        // A struct's fields are matched by name, one by one, by the nested model's own readers.
        _ => actual.TypeId == expected.TypeId,
    };
}
