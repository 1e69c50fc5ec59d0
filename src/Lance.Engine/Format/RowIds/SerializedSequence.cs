namespace Lance.Engine.Format.RowIds;

/// <summary>
/// A serialized per-row sequence of a fragment (row ids, or row versions) as a manifest holds it:
/// inline bytes, or a slice of a file under the dataset's root. Kept as read so that a fragment
/// this engine does not change is written back exactly.
/// </summary>
internal sealed record SerializedSequence
{
    /// <summary>The message bytes, when stored in the manifest.</summary>
    public byte[]? Inline { get; init; }

    /// <summary>The file (relative to the dataset root) holding the message, when stored outside.</summary>
    public string? ExternalPath { get; init; }

    /// <summary>Where the message starts in <see cref="ExternalPath"/>.</summary>
    public ulong ExternalOffset { get; init; }

    /// <summary>The message's length in <see cref="ExternalPath"/>.</summary>
    public ulong ExternalSize { get; init; }

    /// <summary>A sequence stored inline.</summary>
    public static SerializedSequence FromBytes(byte[] bytes) => new() { Inline = bytes };

    /// <summary>The message bytes, read from the file when stored outside the manifest.</summary>
    /// <exception cref="LanceFormatException">The file is missing or shorter than the slice.</exception>
    public byte[] Read(string datasetPath)
    {
        if (Inline is not null)
        {
            return Inline;
        }

        var path = System.IO.Path.Combine(datasetPath, ExternalPath ?? "");
        try
        {
            using var stream = File.OpenRead(path);
            if (ExternalOffset + ExternalSize > (ulong)stream.Length || ExternalSize > int.MaxValue)
            {
                throw new LanceFormatException($"The row sequence slice {ExternalOffset}+{ExternalSize} lies outside '{path}' ({stream.Length} bytes).");
            }

            var bytes = new byte[ExternalSize];
            stream.Position = (long)ExternalOffset;
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (IOException e)
        {
            throw new LanceFormatException($"The row sequence file '{path}' of a fragment cannot be read: {e.Message}", e);
        }
    }
}
