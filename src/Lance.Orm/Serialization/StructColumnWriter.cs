using System.ComponentModel;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a nested model member as an Arrow <c>struct</c> whose fields are the nested model's
/// columns: the values are gathered (one reference per row) and written by the nested model's own
/// generated <see cref="ILanceModel{TSelf}.ToRecordBatch(ReadOnlySpan{TSelf}, BadVectorPolicy)"/>. Called by generated code; not meant for direct use.
/// </summary>
/// <typeparam name="T">The nested model.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class StructColumnWriter<T>
    where T : ILanceModel<T>
{
    private readonly T[] _rows;
    private readonly bool _nullable;
    private readonly string _modelType;
    private readonly string _member;
    private readonly string _column;
    private readonly BadVectorPolicy _badVectors;
    private ValidityBitmap _validity;
    private T? _empty;
    private int _count;

    /// <summary>Creates a writer for <paramref name="length"/> rows.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    /// <param name="nullable">Whether the column accepts nulls; when not, a null value throws <see cref="LanceSchemaException"/>.</param>
    /// <param name="modelType">The model type's name, for error messages.</param>
    /// <param name="member">The member's name, for error messages.</param>
    /// <param name="column">The column's name, for error messages.</param>
    /// <param name="badVectors">What the nested model's vectors of the wrong length become.</param>
    public StructColumnWriter(int length, bool nullable, string modelType, string member, string column, BadVectorPolicy badVectors = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _rows = new T[length];
        _nullable = nullable;
        _modelType = modelType;
        _member = member;
        _column = column;
        _badVectors = badVectors;
    }

    /// <summary>Appends the next row's value (a null reference becomes a null slot).</summary>
    /// <param name="value">The value.</param>
    public void Append(T? value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }

        _rows[_count++] = value;
    }

    /// <summary>Appends the next row's value, or a null slot when <paramref name="hasValue"/> is false.</summary>
    /// <param name="hasValue">Whether there is a value.</param>
    /// <param name="value">The value.</param>
    public void Append(bool hasValue, T value)
    {
        if (hasValue)
        {
            _rows[_count++] = value;
        }
        else
        {
            AppendNull();
        }
    }

    /// <summary>Returns the Arrow array of every value appended so far.</summary>
    public IArrowArray Build()
    {
        var batch = T.ToRecordBatch(_rows.AsSpan(0, _count), _badVectors);
        return new StructArray(new StructType(T.ArrowSchema.FieldsList), _count, batch.Arrays, _validity.Build(), _validity.NullCount);
    }

    private void AppendNull()
    {
        if (!_nullable)
        {
            throw new LanceSchemaException(
                $"{_modelType}.{_member} is null in row {_count}, but its column '{_column}' is not nullable. " +
                $"Set a value, or declare {_modelType}.{_member} as nullable to store nulls.");
        }

        _validity.SetNull(_count, _rows.Length);
        _rows[_count++] = _empty ??= T.CreateDefault();
    }
}
