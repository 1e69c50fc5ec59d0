using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Lance.Engine.Format.Compression;
using Lance.Engine.Format.Nested;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Format.Encodings;

/// <summary>
/// Reads an all-null page (see <see cref="AllNullEncoder"/>), or format 2.2's generalisation of it,
/// the constant page (Lance's <c>ConstantLayout</c>): every entry with a value slot is null, or —
/// when the page has a constant — valid entries hold that one value. Buffers, in order: the value
/// buffer when the constant is not inline, then the repetition and definition levels (either may be
/// empty, and both are absent when the page needs none), raw u16 or compressed as the layout says.
/// </summary>
internal static class AllNullDecoder
{
    /// <summary>
    /// Decodes the page's levels into <paramref name="levels"/> (null for a column without nesting,
    /// whose definition levels then only say which rows are null) and its values into <paramref name="builder"/>.
    /// </summary>
    /// <exception cref="LanceFormatException">The buffers are missing or inconsistent.</exception>
    public static void Decode(
        Enc21.AllNullLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName, LevelCollector? levels)
    {
        string what = $"Column '{levels?.Path.Name ?? columnName}'";
        int count = checked((int)rows);
        Constant? constant = null;
        int levelBuffers = 0;
        if (layout.HasConstantValue)
        {
            constant = Constant.Inline(layout.ConstantValue.Memory, builder, what);
        }
        else if (buffers.Count is 1 or 3)
        {
            // Lance puts a constant that is not inline (a string, a wide fixed-size binary) in a
            // value buffer ahead of the levels; an all-null page has only the levels.
            constant = Constant.FromValueBuffer(buffers[0].Span, builder, what);
            levelBuffers = 1;
        }

        if (buffers.Count - levelBuffers is not (0 or 2))
        {
            throw new LanceFormatException($"{what}: a constant or all-null page has {buffers.Count} buffers; it needs its value and two level buffers, or fewer.");
        }

        bool hasLevels = buffers.Count - levelBuffers == 2;
        var rep = hasLevels ? Levels(layout.RepCompression, buffers[levelBuffers], layout.NumRepValues, "repetition", what) : [];
        var def = hasLevels ? Levels(layout.DefCompression, buffers[levelBuffers + 1], layout.NumDefValues, "definition", what) : [];

        if (levels is null)
        {
            DecodeFlat(def, count, constant, builder, what);
            return;
        }

        var layers = levels.BeginPage(layout.Layers);
        if (!hasLevels)
        {
            if (layers.MaxRep != 0 || (constant is null && layers.MaxDef > 1))
            {
                throw new LanceFormatException($"{what}: a constant or all-null page of a nested column has no level buffers.");
            }

            // Lance's "simple" page: one entry per row, every one null (or every one the constant).
            for (int i = 0; i < count; i++)
            {
                levels.Add(0, constant is null ? (ushort)layers.MaxDef : (ushort)0, out _);
            }

            Append(constant, count, builder);
            return;
        }

        int entries = Math.Max(rep.Length, def.Length);
        if ((rep.Length != 0 && rep.Length != entries) || (def.Length != 0 && def.Length != entries))
        {
            throw new LanceFormatException($"{what}: an all-null page has {rep.Length} repetition and {def.Length} definition levels.");
        }

        for (int i = 0; i < entries; i++)
        {
            if (levels.Add(rep.Length == 0 ? (ushort)0 : rep[i], def.Length == 0 ? (ushort)0 : def[i], out bool valid))
            {
                Append(valid ? constant : null, 1, builder);
            }
        }
    }

    // A column without nesting: one definition level per row (none when no row is null).
    private static void DecodeFlat(ushort[] def, int count, Constant? constant, ColumnBuilder builder, string what)
    {
        if (def.Length == 0)
        {
            Append(constant, count, builder);
            return;
        }

        if (def.Length != count)
        {
            throw new LanceFormatException($"{what}: a constant page of {count} rows has {def.Length} definition levels.");
        }

        // Runs of equal validity, appended in one call each.
        for (int start = 0; start < count;)
        {
            bool valid = def[start] == 0;
            int end = start + 1;
            while (end < count && (def[end] == 0) == valid)
            {
                end++;
            }

            Append(valid ? constant : null, end - start, builder);
            start = end;
        }
    }

    private static void Append(Constant? constant, int count, ColumnBuilder builder)
    {
        if (constant is null)
        {
            builder.AppendNulls(count);
        }
        else
        {
            constant.Append(builder, count);
        }
    }

    private static ushort[] Levels(Enc21.CompressiveEncoding? compression, ReadOnlyMemory<byte> buffer, ulong count, string kind, string what)
    {
        if (buffer.IsEmpty)
        {
            return [];
        }

        if (compression is null)
        {
            if (buffer.Length % 2 != 0)
            {
                throw new LanceFormatException($"{what}: an all-null page's {kind} levels take {buffer.Length} bytes, not a whole number of u16 levels.");
            }

            return MemoryMarshal.Cast<byte, ushort>(buffer.Span).ToArray();
        }

        if (count > int.MaxValue)
        {
            throw new LanceFormatException($"{what}: a constant page claims {count} {kind} levels.");
        }

        var decoded = Decompressors.Block(compression, buffer.Span, (int)count, what);
        if (decoded.IsVariable || decoded.BitsPerValue != 16 || decoded.Count != (int)count)
        {
            throw new LanceFormatException($"{what}: a constant page's {kind} levels do not decode to {count} u16 levels.");
        }

        return MemoryMarshal.Cast<byte, ushort>(decoded.Span).ToArray();
    }

    // The page's one value, as the bytes the column builder appends.
    private sealed class Constant
    {
        private readonly byte[] _value;
        private readonly bool _variable;
        private readonly int _bits;

        private Constant(byte[] value, bool variable, int bits)
        {
            _value = value;
            _variable = variable;
            _bits = bits;
        }

        // An inline value: the bytes of one fixed-width Arrow value (a bitmap byte for bool).
        public static Constant Inline(ReadOnlyMemory<byte> value, ColumnBuilder builder, string what)
        {
            if (builder.IsVariable)
            {
                return new Constant(value.ToArray(), variable: true, 0);
            }

            return Fixed(value.Span, builder, what);
        }

        // A value buffer: [u32 buffer count][u32 length per buffer][the buffers of a length-1 Arrow
        // array]: one values buffer for fixed width, offsets then bytes for variable width.
        public static Constant FromValueBuffer(ReadOnlySpan<byte> buffer, ColumnBuilder builder, string what)
        {
            if (buffer.Length < 4)
            {
                throw new LanceFormatException($"{what}: a constant page's value buffer is {buffer.Length} bytes long.");
            }

            uint n = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
            if (n is 0 or > 2 || buffer.Length < 4 + 4 * (int)n)
            {
                throw new LanceFormatException($"{what}: a constant page's value buffer holds {n} Arrow buffers in {buffer.Length} bytes.");
            }

            var parts = new Range[n];
            int cursor = 4 + 4 * (int)n;
            for (int i = 0; i < n; i++)
            {
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(buffer[(4 + 4 * i)..]);
                if (length > (uint)(buffer.Length - cursor))
                {
                    throw new LanceFormatException($"{what}: a constant page's value buffer is shorter than its Arrow buffers.");
                }

                parts[i] = new Range(cursor, cursor + (int)length);
                cursor += (int)length;
            }

            if (!builder.IsVariable)
            {
                return n == 1
                    ? Fixed(buffer[parts[0]], builder, what)
                    : throw new LanceFormatException($"{what}: a constant page of a fixed-width column holds {n} Arrow buffers.");
            }

            if (n != 2)
            {
                throw new LanceFormatException($"{what}: a constant page of a variable-width column holds {n} Arrow buffers, not offsets and bytes.");
            }

            // Offsets of one value: two i32 (utf8, binary) or two i64 (the large types).
            var offsets = buffer[parts[0]];
            var bytes = buffer[parts[1]];
            long start, end;
            if (offsets.Length == 8)
            {
                start = BinaryPrimitives.ReadInt32LittleEndian(offsets);
                end = BinaryPrimitives.ReadInt32LittleEndian(offsets[4..]);
            }
            else if (offsets.Length == 16)
            {
                start = BinaryPrimitives.ReadInt64LittleEndian(offsets);
                end = BinaryPrimitives.ReadInt64LittleEndian(offsets[8..]);
            }
            else
            {
                throw new LanceFormatException($"{what}: a constant page's offsets take {offsets.Length} bytes, not two offsets.");
            }

            if (start < 0 || end < start || end > bytes.Length)
            {
                throw new LanceFormatException($"{what}: a constant page's offsets [{start}, {end}) lie outside its {bytes.Length} bytes.");
            }

            return new Constant(bytes[(int)start..(int)end].ToArray(), variable: true, 0);
        }

        private static Constant Fixed(ReadOnlySpan<byte> value, ColumnBuilder builder, string what)
        {
            if (builder.BitsPerValue == 1)
            {
                return value.IsEmpty
                    ? throw new LanceFormatException($"{what}: a constant page of bools holds no value.")
                    : new Constant([(byte)(value[0] & 1)], variable: false, 1);
            }

            if (value.Length * 8 != builder.BitsPerValue)
            {
                throw new LanceFormatException($"{what}: a constant page holds a {value.Length}-byte value, which does not match its {builder.BitsPerValue}-bit type.");
            }

            return new Constant(value.ToArray(), variable: false, builder.BitsPerValue);
        }

        public void Append(ColumnBuilder builder, int count)
        {
            if (_variable)
            {
                for (int i = 0; i < count; i++)
                {
                    builder.AppendVariable(_value);
                }
            }
            else if (_bits == 1)
            {
                var bits = new byte[(count + 7) / 8];
                if (_value[0] != 0)
                {
                    bits.AsSpan().Fill(0xFF);
                }

                builder.AppendFixed(bits, count);
            }
            else
            {
                var values = new byte[checked(_value.Length * count)];
                for (int i = 0; i < count; i++)
                {
                    _value.CopyTo(values, i * _value.Length);
                }

                builder.AppendFixed(values, count);
            }
        }
    }
}
