using System.ComponentModel;
using Apache.Arrow;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a <c>byte[]</c> member as Arrow <c>binary</c>: each value is span-copied into one data
/// buffer. Called by generated <see cref="ILanceModel{TSelf}.ToRecordBatch(ReadOnlySpan{TSelf}, BadVectorPolicy)"/> code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class BinaryColumnWriter
{
    private VariableWidthBuilder _builder;

    /// <summary>Creates a writer for <paramref name="length"/> rows of the member <paramref name="modelType"/>.<paramref name="member"/>.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="nullable">Whether the column accepts nulls; when not, a null value throws <see cref="LanceSchemaException"/>.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    public BinaryColumnWriter(int length, bool nullable, string modelType, string member, string column) =>
        _builder = new VariableWidthBuilder(length, nullable, modelType, member, column, "byte[]?");

    /// <summary>Appends the next row's value.</summary>
    /// <param name="value">The value; null only when the column is nullable.</param>
    /// <exception cref="LanceSchemaException">The value is null and the column is not nullable.</exception>
    public void Append(byte[]? value)
    {
        if (value is null)
        {
            _builder.AppendNull();
        }
        else
        {
            _builder.Append(value);
        }
    }

    /// <summary>Appends the next row's value.</summary>
    /// <param name="value">The bytes.</param>
    public void Append(ReadOnlySpan<byte> value) => _builder.Append(value);

    /// <summary>Returns the Arrow array of every value appended so far.</summary>
    public IArrowArray Build() =>
        new BinaryArray(Apache.Arrow.Types.BinaryType.Default, _builder.Count, _builder.Offsets, _builder.Data, _builder.Validity, _builder.NullCount, 0);
}
