using System.Buffers.Binary;
using Lance.Engine.DataFiles.Compression;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Reads a page of Lance's constant layout (our <c>AllNullLayout</c>; Lance's <c>ConstantLayout</c>
/// since format 2.2): every visible value of the page is one scalar, or every one is null, with
/// optional repetition and definition levels saying which entries are null or empty lists.
/// </summary>
/// <remarks>
/// Where the scalar and the levels are is decided, as Lance decides it, by whether the layout holds
/// an inline value and by the number of page buffers — nothing else:
/// <list type="bullet">
/// <item>inline value, 0 buffers: the scalar, no levels; inline, 2 buffers: buffer 0 = repetition,
/// 1 = definition levels (raw u16, a buffer of 0 bytes meaning none);</item>
/// <item>no inline value, 1 buffer: buffer 0 holds the scalar (<see cref="ScalarFromValueBuffer"/>;
/// always so for strings and binaries, which are never inline); 3 buffers: the scalar, then the
/// repetition and definition levels (raw u16);</item>
/// <item>no inline value, 0 or 2 buffers: an all-null page, whose levels (buffers 0 and 1) may be
/// compressed (<c>rep_compression</c>, <c>def_compression</c>; RLE in LanceDB 0.31).</item>
/// </list>
/// The rows a LanceDB <c>update</c> rewrites often share a value (they were picked by a pattern), so
/// format 2.2 files written by updates hold many such pages.
/// </remarks>
internal static class ConstantLayoutDecoder
{
    /// <summary>Whether the page holds a scalar (rather than only nulls).</summary>
    public static bool HasScalar(Enc21.AllNullLayout layout, int bufferCount) =>
        layout.HasConstantValue || bufferCount is 1 or 3;

    /// <summary>
    /// Decodes the page's <paramref name="rows"/> rows into <paramref name="builder"/>, and its levels
    /// into <paramref name="levels"/> for a leaf of a nested column (null for a top-level column).
    /// </summary>
    /// <exception cref="LanceFormatException">The buffers do not fit the layout, or the scalar does not fit the column's type.</exception>
    public static void Decode(
        Enc21.AllNullLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName, LevelCollector? levels)
    {
        string what = $"Column '{columnName}'";
        bool inline = layout.HasConstantValue;
        byte[]? scalar;
        ushort[]? rep;
        ushort[]? def;
        switch (inline, buffers.Count)
        {
            case (true, 0):
                (scalar, rep, def) = (InlineScalar(layout.ConstantValue.Span, builder, what), null, null);
                break;
            case (true, 2):
                (scalar, rep, def) = (InlineScalar(layout.ConstantValue.Span, builder, what), RawLevels(buffers[0], what, "repetition"), RawLevels(buffers[1], what, "definition"));
                break;
            case (false, 1):
                (scalar, rep, def) = (ScalarFromValueBuffer(buffers[0].Span, builder, what), null, null);
                break;
            case (false, 3):
                (scalar, rep, def) = (ScalarFromValueBuffer(buffers[0].Span, builder, what), RawLevels(buffers[1], what, "repetition"), RawLevels(buffers[2], what, "definition"));
                break;
            case (false, 0):
                (scalar, rep, def) = (null, null, null);
                break;
            case (false, 2):
                scalar = null;
                rep = AllNullLevels(layout.RepCompression, buffers[0], layout.NumRepValues, what, "repetition");
                def = AllNullLevels(layout.DefCompression, buffers[1], layout.NumDefValues, what, "definition");
                break;
            default:
                throw new LanceFormatException(
                    $"{what}: a constant page {(inline ? "with" : "without")} an inline value has {buffers.Count} buffers; Lance writes 0 or 2 with one, 0 to 3 without.");
        }

        if (rep is not null && def is not null && rep.Length != def.Length)
        {
            throw new LanceFormatException($"{what}: a constant page has {rep.Length} repetition and {def.Length} definition levels.");
        }

        if (levels is null)
        {
            DecodeTopLevel(scalar, rep, def, rows, builder, what);
        }
        else
        {
            DecodeNested(layout, scalar, rep, def, rows, builder, levels);
        }
    }

    /// <summary>
    /// The scalar of a page's value buffer: <c>u32 buffer count</c>, one <c>u32</c> length per
    /// buffer, then the buffers — the Arrow value buffers of a one-value array (offsets and bytes
    /// for a string or binary, the value for a fixed-width type), without its validity.
    /// </summary>
    /// <exception cref="LanceFormatException">The buffer is malformed or does not fit the column's type.</exception>
    public static byte[] ScalarFromValueBuffer(ReadOnlySpan<byte> buffer, ColumnBuilder builder, string what)
    {
        if (buffer.Length < 4)
        {
            throw Corrupt(what, $"its value buffer has {buffer.Length} bytes, too few for a buffer count");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        if (count > (uint)(buffer.Length - 4) / 4)
        {
            throw Corrupt(what, $"its value buffer claims {count} Arrow buffers in {buffer.Length} bytes");
        }

        var parts = new (int Start, int Length)[count];
        long cursor = 4 + (4L * count);
        for (int i = 0; i < count; i++)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(buffer[(4 + (4 * i))..]);
            if (length > buffer.Length - cursor)
            {
                throw Corrupt(what, $"Arrow buffer {i} of its value buffer claims {length} bytes but {buffer.Length - cursor} are left");
            }

            parts[i] = ((int)cursor, (int)length);
            cursor += length;
        }

        if (cursor != buffer.Length)
        {
            throw Corrupt(what, $"its value buffer has {buffer.Length - cursor} bytes after its Arrow buffers");
        }

        if (builder.IsVariable)
        {
            // Offsets (two, 32- or 64-bit) and the bytes.
            if (count != 2 || parts[0].Length is not (8 or 16))
            {
                throw Corrupt(what, $"a string or binary constant needs 2 Arrow buffers (offsets, bytes), not {count}");
            }

            var offsets = buffer.Slice(parts[0].Start, parts[0].Length);
            long first = offsets.Length == 8 ? BinaryPrimitives.ReadInt32LittleEndian(offsets) : BinaryPrimitives.ReadInt64LittleEndian(offsets);
            long end = offsets.Length == 8 ? BinaryPrimitives.ReadInt32LittleEndian(offsets[4..]) : BinaryPrimitives.ReadInt64LittleEndian(offsets[8..]);
            if (first < 0 || end < first || end > parts[1].Length)
            {
                throw Corrupt(what, $"its constant's offsets {first}..{end} do not lie in its {parts[1].Length} bytes");
            }

            return buffer.Slice(parts[1].Start + (int)first, (int)(end - first)).ToArray();
        }

        if (count != 1)
        {
            throw Corrupt(what, $"a fixed-width constant needs 1 Arrow buffer, not {count}");
        }

        return FixedScalar(buffer.Slice(parts[0].Start, parts[0].Length), builder, what);
    }

    private static byte[] InlineScalar(ReadOnlySpan<byte> value, ColumnBuilder builder, string what)
    {
        if (builder.IsVariable)
        {
            throw Corrupt(what, "a string or binary constant is inline, which Lance never writes (it has offsets)");
        }

        return FixedScalar(value, builder, what);
    }

    private static byte[] FixedScalar(ReadOnlySpan<byte> value, ColumnBuilder builder, string what)
    {
        if (builder.BitsPerValue == 1 ? value.IsEmpty : value.Length * 8 != builder.BitsPerValue)
        {
            throw new LanceFormatException(
                $"{what}: a constant page holds a {value.Length}-byte value, which does not match its {builder.BitsPerValue}-bit type.");
        }

        return value.ToArray();
    }

    // Levels next to a scalar are raw u16; an empty buffer means there are none of that kind.
    private static ushort[]? RawLevels(ReadOnlyMemory<byte> buffer, string what, string kind)
    {
        if (buffer.IsEmpty)
        {
            return null;
        }

        if (buffer.Length % 2 != 0)
        {
            throw Corrupt(what, $"its {kind} levels take {buffer.Length} bytes, not a whole number of u16 levels");
        }

        var levels = new ushort[buffer.Length / 2];
        var span = buffer.Span;
        for (int i = 0; i < levels.Length; i++)
        {
            levels[i] = BinaryPrimitives.ReadUInt16LittleEndian(span[(i * 2)..]);
        }

        return levels;
    }

    private static ushort[]? AllNullLevels(Enc21.CompressiveEncoding? compression, ReadOnlyMemory<byte> buffer, ulong count, string what, string kind)
    {
        if (buffer.IsEmpty)
        {
            return null;
        }

        if (compression is null)
        {
            var raw = RawLevels(buffer, what, kind)!;
            return count == 0 || count == (ulong)raw.Length
                ? raw
                : throw Corrupt(what, $"its {kind} levels are {raw.Length} u16 values but the page says {count}");
        }

        if (count == 0 || count > int.MaxValue)
        {
            throw Corrupt(what, $"its compressed {kind} levels claim {count} values in {buffer.Length} bytes");
        }

        var levels = Decompressors.Block(compression, buffer.Span, (int)count, $"{what} ({kind} levels)").AsLevels(what);
        return levels.Length == (int)count ? levels : throw Corrupt(what, $"its {kind} levels decode to {levels.Length} values, not {count}");
    }

    private static void DecodeTopLevel(byte[]? scalar, ushort[]? rep, ushort[]? def, long rows, ColumnBuilder builder, string what)
    {
        int count = checked((int)rows);
        if (rep is not null)
        {
            throw Corrupt(what, "a column without lists has repetition levels");
        }

        if (def is null)
        {
            Append(builder, scalar, count);
            return;
        }

        if (def.Length != count)
        {
            throw Corrupt(what, $"a page of {count} rows has {def.Length} definition levels");
        }

        // Runs of valid values and of nulls, appended a run at a time.
        int start = 0;
        while (start < count)
        {
            bool valid = def[start] == 0;
            int end = start + 1;
            while (end < count && (def[end] == 0) == valid)
            {
                end++;
            }

            Append(builder, valid ? scalar : null, end - start);
            start = end;
        }
    }

    private static void DecodeNested(
        Enc21.AllNullLayout layout, byte[]? scalar, ushort[]? rep, ushort[]? def, long rows, ColumnBuilder builder, LevelCollector levels)
    {
        var layers = levels.BeginPage(layout.Layers);
        if (rep is null && def is null)
        {
            // One entry per row. Lance's "simple" all-null page (one nullable item layer) is a null
            // item in each row; otherwise every layer is valid and the value is the scalar (or null).
            bool simpleNull = scalar is null && layers.MaxRep == 0 && layers.MaxDef <= 1;
            ushort code = simpleNull ? (ushort)layers.MaxDef : (ushort)0;
            for (long i = 0; i < rows; i++)
            {
                levels.Add(0, code, out _);
            }

            Append(builder, scalar, checked((int)rows));
            return;
        }

        int entries = rep?.Length ?? def!.Length;
        for (int i = 0; i < entries; i++)
        {
            if (levels.Add(rep is null ? (ushort)0 : rep[i], def is null ? (ushort)0 : def[i], out bool valid))
            {
                Append(builder, valid ? scalar : null, 1);
            }
        }
    }

    // Appends count copies of the scalar, or count nulls when there is none.
    private static void Append(ColumnBuilder builder, byte[]? scalar, int count)
    {
        if (count == 0)
        {
            return;
        }

        if (scalar is null)
        {
            builder.AppendNulls(count);
            return;
        }

        if (builder.IsVariable)
        {
            for (int i = 0; i < count; i++)
            {
                builder.AppendVariable(scalar);
            }

            return;
        }

        if (builder.BitsPerValue == 1)
        {
            var bits = new byte[(count + 7) / 8];
            if ((scalar[0] & 1) != 0)
            {
                bits.AsSpan().Fill(0xFF);
            }

            builder.AppendFixed(bits, count);
            return;
        }

        var values = new byte[checked(scalar.Length * count)];
        for (int i = 0; i < count; i++)
        {
            scalar.CopyTo(values, i * scalar.Length);
        }

        builder.AppendFixed(values, count);
    }

    private static LanceFormatException Corrupt(string what, string detail) => new($"{what} is corrupt: {detail}.");
}
