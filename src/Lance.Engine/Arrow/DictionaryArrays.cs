using System.Buffers.Binary;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>
/// Dictionary arrays of any integer key type (int8 … uint64) over byte-string values, as LanceDB
/// writes them. Readers and the concatenation collect keys as 32-bit integers into one growing
/// dictionary; <see cref="Create"/> then gives the array the column's own key type, merging repeated
/// values first when the collected dictionary has more entries than that key type can index.
/// </summary>
internal static class DictionaryArrays
{
    /// <summary>The key of row <paramref name="index"/> of a dictionary array's data (its offset applied), or -1 for a key no array can index.</summary>
    public static long KeyAt(ArrayData dictionary, int index)
    {
        var keys = dictionary.Buffers[1].Span;
        int i = dictionary.Offset + index;
        return ((DictionaryType)dictionary.DataType).IndexType switch
        {
            Int8Type => (sbyte)keys[i],
            UInt8Type => keys[i],
            Int16Type => BinaryPrimitives.ReadInt16LittleEndian(keys[(i * 2)..]),
            UInt16Type => BinaryPrimitives.ReadUInt16LittleEndian(keys[(i * 2)..]),
            Int32Type => BinaryPrimitives.ReadInt32LittleEndian(keys[(i * 4)..]),
            UInt32Type => BinaryPrimitives.ReadUInt32LittleEndian(keys[(i * 4)..]),
            Int64Type => BinaryPrimitives.ReadInt64LittleEndian(keys[(i * 8)..]),
            UInt64Type => BinaryPrimitives.ReadUInt64LittleEndian(keys[(i * 8)..]) is var key && key <= long.MaxValue ? (long)key : -1,
            var other => throw new NotSupportedException($"Dictionary keys of Arrow type '{other.Name}' are not supported."),
        };
    }

    /// <summary>Whether row <paramref name="index"/> of a dictionary array is null (its key, or the value its key names).</summary>
    public static bool IsNull(ArrayData dictionary, int index)
    {
        if (!IsValid(dictionary, dictionary.Offset + index))
        {
            return true;
        }

        long key = KeyAt(dictionary, index);
        var values = dictionary.Dictionary;
        return values is null || key < 0 || key >= values.Length || !IsValid(values, values.Offset + (int)key);
    }

    /// <summary>The bytes of value <paramref name="index"/> of a string or binary array's data (its offset applied).</summary>
    public static ReadOnlySpan<byte> ValueBytes(ArrayData values, int index)
    {
        int i = values.Offset + index;
        var offsets = values.Buffers[1].Span;
        long start, end;
        if (values.DataType is LargeStringType or LargeBinaryType)
        {
            start = BinaryPrimitives.ReadInt64LittleEndian(offsets[(i * 8)..]);
            end = BinaryPrimitives.ReadInt64LittleEndian(offsets[((i + 1) * 8)..]);
        }
        else
        {
            start = BinaryPrimitives.ReadInt32LittleEndian(offsets[(i * 4)..]);
            end = BinaryPrimitives.ReadInt32LittleEndian(offsets[((i + 1) * 4)..]);
        }

        return values.Buffers[2].Span[checked((int)start)..checked((int)end)];
    }

    /// <summary>
    /// A map key standing for a value's bytes: Latin-1 maps each byte to one char, so equal strings
    /// mean equal bytes for strings and binaries alike.
    /// </summary>
    public static string ContentKey(ReadOnlySpan<byte> value) => Encoding.Latin1.GetString(value);

    /// <summary>The largest key <paramref name="keyType"/> holds (capped at int32's: collected keys are 32-bit).</summary>
    public static long MaxKey(IArrowType keyType) => keyType switch
    {
        Int8Type => sbyte.MaxValue,
        UInt8Type => byte.MaxValue,
        Int16Type => short.MaxValue,
        UInt16Type => ushort.MaxValue,
        _ => int.MaxValue,
    };

    /// <summary>Writes <paramref name="key"/> as a little-endian integer of <paramref name="width"/> bytes.</summary>
    public static void WriteKey(Span<byte> destination, int width, long key)
    {
        switch (width)
        {
            case 1:
                destination[0] = (byte)key;
                break;
            case 2:
                BinaryPrimitives.WriteInt16LittleEndian(destination, (short)key);
                break;
            case 4:
                BinaryPrimitives.WriteInt32LittleEndian(destination, (int)key);
                break;
            default:
                BinaryPrimitives.WriteInt64LittleEndian(destination, key);
                break;
        }
    }

    /// <summary>
    /// A dictionary array of <paramref name="type"/> from 32-bit <paramref name="keys"/> (null where
    /// the row is null) into <paramref name="dictionary"/>; <paramref name="column"/> names it in errors.
    /// </summary>
    /// <exception cref="LanceFormatException">The column has more distinct values than its key type can index.</exception>
    public static DictionaryArray Create(DictionaryType type, Int32Array keys, IArrowArray dictionary, string? column)
    {
        if (type.IndexType is Int32Type)
        {
            var data = keys.Data;
            return new DictionaryArray(new ArrayData(type, data.Length, data.NullCount, data.Offset, data.Buffers, [], dictionary.Data));
        }

        var values = dictionary.Data;
        int[]? remap = null;
        long maxKey = MaxKey(type.IndexType);
        if (values.Length - 1 > maxKey)
        {
            (values, remap) = Distinct(values);
            if (values.Length - 1 > maxKey)
            {
                throw new LanceFormatException(
                    $"{(column is null ? "A dictionary column" : $"Column '{column}'")} holds {values.Length} distinct dictionary values, more than its {type.IndexType.Name} keys can index.");
            }
        }

        int width = ((FixedWidthType)type.IndexType).BitWidth / 8;
        var buffer = new byte[checked(keys.Length * width)];
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys.GetValue(i) is int key)
            {
                WriteKey(buffer.AsSpan(i * width), width, remap is null ? key : remap[key]);
            }
        }

        var validity = keys.NullCount == 0 ? ArrowBuffer.Empty : CopyValidity(keys);
        return new DictionaryArray(new ArrayData(type, keys.Length, keys.NullCount, 0, [validity, new ArrowBuffer(buffer)], [], values));
    }

    // The distinct values (first occurrence kept) and where each old index went. A null value reads
    // like an empty one here: the readers never point a valid row's key at a null value.
    private static (ArrayData Values, int[] Remap) Distinct(ArrayData values)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        var remap = new int[values.Length];
        var kept = new List<int>();
        for (int i = 0; i < values.Length; i++)
        {
            string content = ContentKey(ValueBytes(values, i));
            if (!first.TryGetValue(content, out int index))
            {
                index = kept.Count;
                first.Add(content, index);
                kept.Add(i);
            }

            remap[i] = index;
        }

        return (ArrowTake.TakeData(values, [.. kept]), remap);
    }

    private static ArrowBuffer CopyValidity(Int32Array keys)
    {
        var bits = new byte[(keys.Length + 7) / 8];
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys.IsValid(i))
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return new ArrowBuffer(bits);
    }

    private static bool IsValid(ArrayData data, int bit) =>
        data.NullCount == 0 || data.Buffers[0].IsEmpty || (data.Buffers[0].Span[bit >> 3] & (1 << (bit & 7))) != 0;
}
