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
    public byte[] Read(Dataset.DatasetFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (Inline is not null)
        {
            return Inline;
        }

        var key = (ExternalPath ?? "").Replace('\\', '/');
        try
        {
            using var reader = files.Store.OpenReadAsync(key).AsTask().GetAwaiter().GetResult();
            if (ExternalOffset + ExternalSize > (ulong)reader.Length || ExternalSize > int.MaxValue)
            {
                throw new LanceFormatException($"The row sequence slice {ExternalOffset}+{ExternalSize} lies outside '{files.Describe(key)}' ({reader.Length} bytes).");
            }

            var bytes = new byte[ExternalSize];
            reader.Read((long)ExternalOffset, bytes);
            return bytes;
        }
        catch (IOException e)
        {
            throw new LanceFormatException($"The row sequence file '{files.Describe(key)}' of a fragment cannot be read: {e.Message}", e);
        }
    }
}
