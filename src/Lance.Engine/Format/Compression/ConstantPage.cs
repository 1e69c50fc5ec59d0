using Lance.Engine.Format.Encodings;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Format.Compression;

/// <summary>A format 2.2 page whose every row holds one value, stored once in its layout.</summary>
internal static class ConstantPage
{
    /// <summary>Appends <paramref name="rows"/> copies of the page's value.</summary>
    /// <exception cref="LanceFormatException">The value does not fit the column's type.</exception>
    public static void Decode(Enc21.AllNullLayout layout, long rows, ColumnBuilder builder, string columnName)
    {
        string what = $"Column '{columnName}'";
        var value = layout.ConstantValue.Span;
        int count = checked((int)rows);
        if (builder.IsVariable)
        {
            for (int i = 0; i < count; i++)
            {
                builder.AppendVariable(value);
            }

            return;
        }

        if (builder.BitsPerValue == 1)
        {
            bool set = !value.IsEmpty && value[0] != 0;
            var bits = new byte[(count + 7) / 8];
            if (set)
            {
                bits.AsSpan().Fill(0xFF);
            }

            builder.AppendFixed(bits, count);
            return;
        }

        if (value.Length * 8 != builder.BitsPerValue)
        {
            throw new LanceFormatException($"{what}: a constant page holds a {value.Length}-byte value, which does not match its {builder.BitsPerValue}-bit type.");
        }

        CompressedMiniBlockDecoder.Append(Decompressors.Repeat(value, count, what), builder, what);
    }
}
