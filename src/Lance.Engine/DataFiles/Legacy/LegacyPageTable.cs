using System.Buffers.Binary;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Legacy;

/// <summary>
/// The page table of a legacy (0.1) data file: for every field id from the smallest to the largest
/// in the file's schema, and for every batch, the file position and the row count of that field's
/// page, as two little-endian i64. Fields without pages (structs, ids the file skips) hold (0, 0).
/// </summary>
internal sealed class LegacyPageTable
{
    private const int EntryBytes = 16;

    private readonly byte[] _entries;
    private readonly string _file;

    private LegacyPageTable(byte[] entries, string file, int minFieldId, int maxFieldId, int batches)
    {
        _entries = entries;
        _file = file;
        MinFieldId = minFieldId;
        MaxFieldId = maxFieldId;
        Batches = batches;
    }

    /// <summary>The smallest field id the table covers.</summary>
    public int MinFieldId { get; }

    /// <summary>The largest field id the table covers.</summary>
    public int MaxFieldId { get; }

    /// <summary>The number of batches (pages per field).</summary>
    public int Batches { get; }

    /// <summary>Reads the table at <paramref name="position"/>, checking that it fits in the file first.</summary>
    /// <exception cref="LanceFormatException">The table does not fit in the file.</exception>
    public static LegacyPageTable Read(ILegacyFileBytes file, long position, int minFieldId, int maxFieldId, int batches)
    {
        long fields = (long)maxFieldId - minFieldId + 1;
        if (fields <= 0 || batches < 0)
        {
            throw new LanceFormatException($"'{file.Name}' is corrupt: its schema's field ids run from {minFieldId} to {maxFieldId} over {batches} batches.");
        }

        if (batches > 0 && fields > file.Length / EntryBytes / batches)
        {
            throw new LanceFormatException(
                $"'{file.Name}' is corrupt: a page table for field ids {minFieldId} to {maxFieldId} and {batches} batches needs more than the file's {file.Length} bytes.");
        }

        int bytes = checked((int)(fields * batches * EntryBytes));
        if (position < 0 || position > file.Length - bytes)
        {
            throw new LanceFormatException(
                $"'{file.Name}' is corrupt or truncated: its {bytes}-byte page table is said to start at byte {position} of a {file.Length}-byte file.");
        }

        return new LegacyPageTable(file.Read(position, bytes).ToArray(), file.Name, minFieldId, maxFieldId, batches);
    }

    /// <summary>The page of field <paramref name="fieldId"/> in batch <paramref name="batch"/>: its position and row count.</summary>
    /// <exception cref="LanceFormatException">The table has no such page, or it lies outside the file.</exception>
    public (long Position, long Rows) Page(int fieldId, int batch, string column, long fileLength)
    {
        if (fieldId < MinFieldId || fieldId > MaxFieldId || batch < 0 || batch >= Batches)
        {
            throw new LanceFormatException(
                $"'{_file}' has no page for column '{column}' (field id {fieldId}) in batch {batch}: its page table covers field ids {MinFieldId} to {MaxFieldId} and {Batches} batches.");
        }

        int at = (((fieldId - MinFieldId) * Batches) + batch) * EntryBytes;
        long position = BinaryPrimitives.ReadInt64LittleEndian(_entries.AsSpan(at));
        long rows = BinaryPrimitives.ReadInt64LittleEndian(_entries.AsSpan(at + 8));
        if (position < 0 || position > fileLength || rows < 0 || rows > int.MaxValue)
        {
            throw new LanceFormatException(
                $"'{_file}' is corrupt: the page of column '{column}' (field id {fieldId}) in batch {batch} is said to hold {rows} rows at byte {position} of a {fileLength}-byte file.");
        }

        return (position, rows);
    }
}
