using System.Text;

namespace Lance.Engine.Query.Filtering;

/// <summary>Variable-length values as Arrow holds them: one byte buffer and <c>Count + 1</c> offsets into it.</summary>
internal sealed class Utf8Values
{
    public Utf8Values(ReadOnlyMemory<byte> data, int[] offsets)
    {
        Data = data;
        Offsets = offsets;
    }

    public ReadOnlyMemory<byte> Data { get; }

    public int[] Offsets { get; }

    public int Count => Offsets.Length - 1;

    public ReadOnlySpan<byte> this[int row] => Data.Span[Offsets[row]..Offsets[row + 1]];

    public static Utf8Values Single(ReadOnlySpan<byte> value) => new(value.ToArray(), [0, value.Length]);

    public static Utf8Values Single(string value) => Single(Encoding.UTF8.GetBytes(value));

    /// <summary>Builds values row by row into one growing buffer (no per-row arrays).</summary>
    internal sealed class Builder
    {
        private readonly int[] _offsets;
        private byte[] _data;
        private int _length;
        private int _row;

        public Builder(int rows, int capacity)
        {
            _offsets = new int[rows + 1];
            _data = new byte[Math.Max(16, capacity)];
        }

        public void Append(ReadOnlySpan<byte> value)
        {
            Reserve(value.Length);
            value.CopyTo(_data.AsSpan(_length));
            _length += value.Length;
            _offsets[++_row] = _length;
        }

        /// <summary>A span to write at most <paramref name="maxBytes"/> into; then call <see cref="Commit"/>.</summary>
        public Span<byte> Reserve(int maxBytes)
        {
            if (_length + maxBytes > _data.Length)
            {
                Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + maxBytes));
            }

            return _data.AsSpan(_length, maxBytes);
        }

        public void Commit(int written)
        {
            _length += written;
            _offsets[++_row] = _length;
        }

        public Utf8Values Build() => new(_data.AsMemory(0, _length), _offsets);
    }
}
