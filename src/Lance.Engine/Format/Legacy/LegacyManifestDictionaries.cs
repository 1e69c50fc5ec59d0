using System.Buffers.Binary;
using Apache.Arrow.Types;
using PbFile = Lance.Engine.Format.Protos.File;

namespace Lance.Engine.Format.Legacy;

/// <summary>
/// The dictionaries of a legacy (0.1) dataset live in its manifest files: each manifest file starts
/// with the values of every dictionary field, var-binary encoded (the bytes, then <c>count + 1</c>
/// i64 absolute file positions), and the field's <c>dictionary {offset, length}</c> names the
/// positions and the count. Lance (and LanceDB) read them from there on open and fail when they are
/// missing, so a manifest this engine rewrites must carry them over.
/// </summary>
internal static class LegacyManifestDictionaries
{
    /// <summary>
    /// Reads the dictionary values of every string dictionary field of a legacy manifest file
    /// (<paramref name="file"/>: its bytes before the footer), by field id.
    /// </summary>
    /// <exception cref="LanceFormatException">A dictionary lies outside the file or is malformed.</exception>
    public static Dictionary<int, IReadOnlyList<byte[]>> Read(ReadOnlySpan<byte> file, IEnumerable<PbFile.Field> fields)
    {
        var result = new Dictionary<int, IReadOnlyList<byte[]>>();
        foreach (var field in fields)
        {
            if (field.Dictionary is not { } where || !IsStringDictionary(field.LogicalType))
            {
                continue;
            }

            if (where.Length < 0 || where.Offset < 0 || where.Length > file.Length / 8 || where.Offset > file.Length - (where.Length + 1) * 8)
            {
                throw new LanceFormatException(
                    $"Corrupt manifest: the {where.Length} dictionary values of field '{field.Name}' are said to lie at byte {where.Offset} of a {file.Length}-byte file.");
            }

            int count = (int)where.Length;
            var table = file.Slice((int)where.Offset, (count + 1) * 8);
            var values = new byte[count][];
            long start = BinaryPrimitives.ReadInt64LittleEndian(table);
            for (int i = 0; i < count; i++)
            {
                long end = BinaryPrimitives.ReadInt64LittleEndian(table[((i + 1) * 8)..]);
                if (start < 0 || end < start || end > file.Length)
                {
                    throw new LanceFormatException($"Corrupt manifest: dictionary value {i} of field '{field.Name}' is said to lie at bytes [{start}, {end}) of a {file.Length}-byte file.");
                }

                values[i] = file[(int)start..(int)end].ToArray();
                start = end;
            }

            result[field.Id] = values;
        }

        return result;
    }

    /// <summary>
    /// Writes the dictionary values of every dictionary field of <paramref name="schema"/> to the
    /// start of a manifest file and sets each such field's <c>dictionary</c> in <paramref name="protoFields"/>.
    /// </summary>
    /// <exception cref="LanceFormatException">A dictionary field's values are not known, so the manifest would lose them.</exception>
    public static byte[] Write(LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>> dictionaries, IList<PbFile.Field> protoFields)
    {
        using var head = new MemoryStream();
        Span<byte> word = stackalloc byte[8];
        foreach (var field in schema.AllFields.Where(f => f.LogicalType.StartsWith("dict:", StringComparison.Ordinal)))
        {
            if (!dictionaries.TryGetValue(field.Id, out var values))
            {
                throw new LanceFormatException(
                    $"The dictionary values of field '{field.Name}' (id {field.Id}) are unknown, and a legacy (0.1) manifest must hold them; nothing was written.");
            }

            var positions = new long[values.Count + 1];
            positions[0] = head.Position;
            for (int i = 0; i < values.Count; i++)
            {
                head.Write(values[i]);
                positions[i + 1] = head.Position;
            }

            long table = head.Position;
            foreach (long position in positions)
            {
                BinaryPrimitives.WriteInt64LittleEndian(word, position);
                head.Write(word);
            }

            foreach (var proto in protoFields.Where(p => p.Id == field.Id))
            {
                proto.Dictionary = new PbFile.Dictionary { Offset = table, Length = values.Count };
            }
        }

        return head.ToArray();
    }

    private static bool IsStringDictionary(string logicalType) =>
        LanceLogicalTypes.TryGetArrowType(logicalType) is DictionaryType dictionary && LanceLogicalTypes.IsVariableWidth(dictionary.ValueType);
}
