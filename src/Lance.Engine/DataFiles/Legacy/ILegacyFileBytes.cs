using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Legacy;

/// <summary>
/// Random access to the bytes of one data file, as the legacy reader needs it. Every read checks
/// its range against the file and throws <see cref="LanceFormatException"/> naming the file when
/// the range lies outside it.
/// </summary>
internal interface ILegacyFileBytes
{
    /// <summary>The file's name or path, for error messages.</summary>
    string Name { get; }

    /// <summary>The file's length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads <paramref name="length"/> bytes from <paramref name="position"/>.</summary>
    ReadOnlyMemory<byte> Read(long position, int length);

    /// <summary>Fills <paramref name="destination"/> with the bytes from <paramref name="position"/>.</summary>
    void ReadInto(long position, Span<byte> destination);

    /// <summary>
    /// A view of <paramref name="length"/> bytes from <paramref name="position"/> without copying
    /// them (a memory-mapped range, or a slice of a file held in memory), or null when the file
    /// cannot be mapped here.
    /// </summary>
    ReadOnlyMemory<byte>? TryMap(long position, int length);
}
