using System.Runtime.InteropServices;
using Lance.Engine.Format.Nested;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Format.Encodings;

/// <summary>
/// Reads an all-null page of a nested column (see <see cref="AllNullEncoder"/>): its levels come
/// from two raw u16 buffers (repetition, definition; either may be empty), and every entry with a
/// value slot is a null value.
/// </summary>
internal static class AllNullDecoder
{
    /// <summary>Decodes the page's levels into <paramref name="levels"/> and its null values into <paramref name="builder"/>.</summary>
    /// <exception cref="LanceFormatException">The buffers are missing or inconsistent.</exception>
    public static void Decode(Enc21.AllNullLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, LevelCollector levels)
    {
        var layers = levels.BeginPage(layout.Layers);
        if (layers.MaxRep == 0 && layers.MaxDef <= 1 && buffers.Count == 0)
        {
            // Lance's "simple" all-null page: one null per row, no levels stored.
            for (long i = 0; i < rows; i++)
            {
                levels.Add(0, (ushort)layers.MaxDef, out _);
            }

            builder.AppendNulls(checked((int)rows));
            return;
        }

        if (buffers.Count < 2 || buffers[0].Length % 2 != 0 || buffers[1].Length % 2 != 0)
        {
            throw new LanceFormatException($"Column '{levels.Path.Name}': an all-null page needs two buffers of u16 levels.");
        }

        var rep = MemoryMarshal.Cast<byte, ushort>(buffers[0].Span);
        var def = MemoryMarshal.Cast<byte, ushort>(buffers[1].Span);
        int entries = Math.Max(rep.Length, def.Length);
        if ((!rep.IsEmpty && rep.Length != entries) || (!def.IsEmpty && def.Length != entries))
        {
            throw new LanceFormatException($"Column '{levels.Path.Name}': an all-null page has {rep.Length} repetition and {def.Length} definition levels.");
        }

        for (int i = 0; i < entries; i++)
        {
            if (levels.Add(rep.IsEmpty ? (ushort)0 : rep[i], def.IsEmpty ? (ushort)0 : def[i], out _))
            {
                builder.AppendNulls(1);
            }
        }
    }
}
