using Apache.Arrow;

namespace Lance.Orm.Serialization;

/// <summary>
/// A column's validity bits, allocated on the first null only: a column without nulls gets no
/// bitmap at all, as Arrow allows.
/// </summary>
internal struct ValidityBitmap
{
    private byte[]? _bits;

    public int NullCount { get; private set; }

    public void SetNull(int index, int length)
    {
        if (_bits is null)
        {
            _bits = new byte[BitUtility.ByteCount(length)];
            _bits.AsSpan().Fill(0xFF);
        }

        BitUtility.ClearBit(_bits, index);
        NullCount++;
    }

    public readonly ArrowBuffer Build() => _bits is null ? ArrowBuffer.Empty : new ArrowBuffer(_bits);
}
