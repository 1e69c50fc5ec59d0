namespace Lance.Orm.Serialization;

/// <summary>Growth of the data buffer of a variable-width (utf8, binary) column.</summary>
internal static class VariableWidth
{
    /// <summary>Makes room for <paramref name="bytes"/> more bytes after <paramref name="used"/>, doubling the buffer.</summary>
    public static void Reserve(ref byte[] data, int used, int bytes, string column, string modelType, string member)
    {
        var needed = (long)used + bytes;
        if (needed <= data.Length)
        {
            return;
        }

        if (needed > Array.MaxLength)
        {
            throw new LanceSchemaException(
                $"Column '{column}' ({modelType}.{member}) holds more than 2 GB in one batch. Write the rows in smaller batches.");
        }

        Array.Resize(ref data, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)data.Length * 2)));
    }
}
