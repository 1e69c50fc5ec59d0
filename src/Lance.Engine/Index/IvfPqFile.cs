using System.Runtime.InteropServices;
using System.Text;

namespace Lance.Engine.Index;

/// <summary>
/// The index file under <c>_indices/&lt;uuid&gt;/</c>: this engine's own little-endian layout
/// (LanceDB does not read it; it still reads the dataset). A header, the fragments covered, the
/// centroids and codebooks, then per partition its row ids and codes.
/// </summary>
internal static class IvfPqFile
{
    /// <summary>The file name inside the index folder.</summary>
    public const string FileName = "ivf_pq.lcidx";

    private static readonly byte[] Magic = "LCIVFPQ1"u8.ToArray();
    private const int FormatVersion = 1;

    /// <summary>Writes the index as the object at <paramref name="key"/> of the dataset's store: it appears whole, or not at all.</summary>
    /// <returns>The file's size in bytes.</returns>
    public static async Task<long> WriteAsync(Dataset.DatasetFiles files, string key, IvfPqIndex index, CancellationToken cancellationToken)
    {
        var output = await files.Store.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        await using (output.ConfigureAwait(false))
        {
            var length = Write(output.Stream, index, cancellationToken);
            await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return length;
        }
    }

    /// <summary>Reads the index file at <paramref name="key"/> of the dataset's store.</summary>
    /// <exception cref="LanceIndexException">The file is missing or is not an index file of this engine.</exception>
    public static IvfPqIndex Read(Dataset.DatasetFiles files, string key)
    {
        byte[] bytes;
        try
        {
            bytes = files.ReadAll(key);
        }
        catch (IOException e)
        {
            throw new LanceIndexException($"The index file '{files.Describe(key)}' cannot be read: {e.Message}", e);
        }

        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, files.Describe(key));
    }

    private static long Write(Stream stream, IvfPqIndex index, CancellationToken cancellationToken)
    {
        var start = stream.CanSeek ? stream.Position : 0;
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write((int)index.Metric);
            writer.Write(index.Dimension);
            writer.Write(index.Partitions);
            writer.Write(index.SubVectors);
            writer.Write(index.Residual);
            writer.Write(index.Fragments.Length);
            writer.Write(MemoryMarshal.AsBytes(index.Fragments.AsSpan()));
            writer.Write(MemoryMarshal.AsBytes(index.Centroids.AsSpan()));
            writer.Write(MemoryMarshal.AsBytes(index.Codebook.AsSpan()));
            for (var p = 0; p < index.Partitions; p++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                writer.Write(index.RowIds[p].Length);
                writer.Write(MemoryMarshal.AsBytes(index.RowIds[p].AsSpan()));
                writer.Write(index.Codes[p]);
            }
        }

        return stream.CanSeek ? stream.Position - start : SizeOf(index);
    }

    private static long SizeOf(IvfPqIndex index)
        => Magic.Length + (6 * sizeof(int)) + 1 + (index.Fragments.Length * sizeof(ulong)) + (index.Centroids.Length * sizeof(float)) + (index.Codebook.Length * sizeof(float))
            + Enumerable.Range(0, index.Partitions).Sum(p => sizeof(int) + (index.RowIds[p].LongLength * sizeof(long)) + index.Codes[p].LongLength);

    private static IvfPqIndex Read(Stream stream, string path)
    {
        try
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new LanceIndexException($"'{path}' is not an IVF-PQ index file of this engine (wrong magic bytes).");
            }

            var version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new LanceIndexException($"The index file '{path}' has format version {version}; this engine reads version {FormatVersion}.");
            }

            var metric = (DistanceMetric)reader.ReadInt32();
            var dimension = reader.ReadInt32();
            var partitions = reader.ReadInt32();
            var subVectors = reader.ReadInt32();
            var residual = reader.ReadBoolean();
            var fragments = ReadArray<ulong>(reader, reader.ReadInt32());
            var centroids = ReadArray<float>(reader, partitions * dimension);
            var codebook = ReadArray<float>(reader, subVectors * IvfPqIndex.CodebookSize * (dimension / subVectors));
            var rowIds = new long[partitions][];
            var codes = new byte[partitions][];
            for (var p = 0; p < partitions; p++)
            {
                var n = reader.ReadInt32();
                rowIds[p] = ReadArray<long>(reader, n);
                codes[p] = ReadArray<byte>(reader, n * subVectors);
            }

            return new IvfPqIndex
            {
                Metric = metric,
                Dimension = dimension,
                Partitions = partitions,
                SubVectors = subVectors,
                Residual = residual,
                Centroids = centroids,
                Codebook = codebook,
                RowIds = rowIds,
                Codes = codes,
                Fragments = fragments,
            };
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or UnauthorizedAccessException)
        {
            throw new LanceIndexException($"The index file '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private static T[] ReadArray<T>(BinaryReader reader, int count)
        where T : unmanaged
    {
        var result = new T[count];
        var bytes = MemoryMarshal.AsBytes(result.AsSpan());
        var read = 0;
        while (read < bytes.Length)
        {
            var n = reader.Read(bytes[read..]);
            if (n == 0)
            {
                throw new EndOfStreamException("The index file ends early.");
            }

            read += n;
        }

        return result;
    }
}
