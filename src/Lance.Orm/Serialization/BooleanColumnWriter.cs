using System.ComponentModel;
using Apache.Arrow;

namespace Lance.Orm.Serialization;

/// <summary>
/// Writes a <c>bool</c> column straight into one bit-packed Arrow value buffer. Called by generated
/// <see cref="ILanceModel{TSelf}.ToRecordBatch(ReadOnlySpan{TSelf}, BadVectorPolicy)"/> code; not meant for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class BooleanColumnWriter
{
    private readonly byte[] _values;
    private readonly int _length;
    private ValidityBitmap _validity;
    private int _count;

    /// <summary>Creates a writer for <paramref name="length"/> rows.</summary>
    /// <param name="length">The number of rows in the batch.</param>
    public BooleanColumnWriter(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
        _values = new byte[BitUtility.ByteCount(length)];
    }

    /// <summary>Appends the next row's value.</summary>
    /// <param name="value">The value.</param>
    public void Append(bool value)
    {
        if (value)
        {
            BitUtility.SetBit(_values, _count);
        }

        _count++;
    }

    /// <summary>Appends the next row's value; null becomes a null slot.</summary>
    /// <param name="value">The value, or null.</param>
    public void Append(bool? value)
    {
        if (value is null)
        {
            _validity.SetNull(_count, _length);
        }
        else if (value.GetValueOrDefault())
        {
            BitUtility.SetBit(_values, _count);
        }

        _count++;
    }

    /// <summary>Returns the Arrow array of every value appended so far.</summary>
    public IArrowArray Build() =>
        new BooleanArray(new ArrowBuffer(_values), _validity.Build(), _count, _validity.NullCount, 0);
}
