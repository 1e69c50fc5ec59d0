using System.ComponentModel;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Reads an Arrow <c>struct</c> column into nested model members: the struct's fields are read once
/// per batch by the nested model's generated <see cref="ILanceModel{TSelf}.ReadRecordBatch"/>.
/// Called by generated code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The nested model.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct StructColumnReader<T>
    where T : ILanceModel<T>
{
    private readonly List<T>? _rows;
    private readonly ReadOnlySpan<byte> _validity;
    private readonly int _offset;

    /// <summary>
    /// Opens the struct column <paramref name="column"/> of <paramref name="batch"/>; a reader of an
    /// absent column returns each row's fallback.
    /// </summary>
    /// <param name="batch">The record batch.</param>
    /// <param name="column">The column name.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <exception cref="LanceSchemaException">The column exists with another Arrow type.</exception>
    public StructColumnReader(RecordBatch batch, string column, string modelType, string member)
    {
        var data = ColumnLookup.Find(batch, column, new StructType(T.ArrowSchema.FieldsList), modelType, member);
        if (data is null)
        {
            return;
        }

        _rows = ReadChildren(data);
        _validity = ColumnLookup.Validity(data);
        _offset = data.Offset;
    }

    /// <summary>Whether the batch has the column.</summary>
    public bool IsPresent => _rows is not null;

    /// <summary>The value in <paramref name="row"/> (a null slot reads as a row of defaults), <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T Get(int row, T fallback) => _rows is null ? fallback : _rows[row];

    /// <summary>The value in <paramref name="row"/>, <c>default</c> (null) for a null slot, <paramref name="fallback"/> when the column is absent.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="fallback">The member's default.</param>
    public T? GetOrDefault(int row, T? fallback) => _rows is null ? fallback : IsNull(row) ? default : _rows[row];

    /// <summary>Whether <paramref name="row"/> is null (false when the column is absent).</summary>
    /// <param name="row">The row index.</param>
    public bool IsNull(int row) => !_validity.IsEmpty && !BitUtility.GetBit(_validity, _offset + row);

    /// <summary>Materialises every element of a struct array (or of a list's struct child) as <typeparamref name="T"/>.</summary>
    internal static List<T> ReadChildren(ArrayData data)
    {
        var type = (StructType)data.DataType;
        var children = new IArrowArray[data.Children.Length];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = ArrowArrayFactory.BuildArray(data.Children[i].Slice(data.Offset, data.Length));
        }

        var rows = new List<T>(data.Length);
        T.ReadRecordBatch(new RecordBatch(new Schema(type.Fields, null), children, data.Length), rows);
        return rows;
    }
}
