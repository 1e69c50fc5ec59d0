using System.Text.Json;
using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Format.Protos.VectorIndex;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// Reads an IVF_PQ index in Lance's format into an <see cref="IvfPqIndex"/>. <c>index.idx</c> holds
/// the partition centroids (an <c>IVF</c> message in the global buffer its <c>lance:ivf</c> metadata
/// names); <c>auxiliary.idx</c> holds the columns <c>_rowid</c> and <c>__pq_code</c>, partition after
/// partition (lengths in its own <c>IVF</c> message), the codes of each partition sub-vector-major
/// when its PQ metadata says <c>transposed</c>, and the codebook (a <c>[256, dimension]</c> tensor in
/// the global buffer <c>codebook_position</c> names, sub-vector by sub-vector). L2 and cosine indexes quantise residuals from
/// the partition centroid, cosine ones of unit vectors; dot indexes quantise the vectors.
/// </summary>
internal static class LanceIvfPqReader
{
    /// <summary>Reads the index <paramref name="metadata"/> records.</summary>
    /// <exception cref="LanceIndexException">A file is missing, corrupt, or of a layout this engine does not read.</exception>
    public static IvfPqIndex Read(DatasetFiles files, IndexMetadata metadata)
    {
        var folder = DatasetFiles.IndexFolder(metadata.FolderName);
        var indexName = files.Describe(folder + LanceVectorDetails.IndexFileName);
        var auxName = files.Describe(folder + LanceVectorDetails.AuxiliaryFileName);
        var indexBytes = ReadFile(files, folder + LanceVectorDetails.IndexFileName);
        var auxBytes = ReadFile(files, folder + LanceVectorDetails.AuxiliaryFileName);
        try
        {
            return Read(indexBytes, indexName, auxBytes, auxName, metadata.Fragments.ToArray());
        }
        catch (Exception e) when (e is LanceFormatException or InvalidCastException or JsonException or KeyNotFoundException or ArgumentException or OverflowException)
        {
            throw new LanceIndexException($"The IVF_PQ index '{metadata.Name}' ({indexName}) cannot be read: {e.Message}", e);
        }
    }

    private static byte[] ReadFile(DatasetFiles files, string key)
    {
        try
        {
            return files.ReadAll(key);
        }
        catch (IOException e)
        {
            throw new LanceIndexException($"The index file '{files.Describe(key)}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads the two files of an IVF_PQ index held in memory.</summary>
    public static IvfPqIndex Read(byte[] indexBytes, string indexName, byte[] auxBytes, string auxName, ulong[] fragments)
    {
        using var indexFile = DataFileReader.FromBytes(indexBytes, indexName);
        var description = JsonDocument.Parse(IndexFileBuffers.Metadata(indexFile.Schema, "lance:index", indexName)).RootElement;
        var type = description.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type != LanceVectorDetails.IvfPq)
        {
            throw new LanceIndexException($"The index file '{indexName}' holds a {type ?? "(untyped)"} index, not IVF_PQ.");
        }

        var metric = LanceVectorDetails.ParseMetric(description.TryGetProperty("distance_type", out var d) ? d.GetString() : null)
            ?? throw new LanceIndexException($"The index file '{indexName}' names no distance this engine knows ({description}).");
        var ivf = IndexFileBuffers.Message(indexBytes, indexFile.Schema, "lance:ivf", IVF.Parser, indexName);
        float[] centroids;
        int partitions;
        int dimension;
        if (ivf.CentroidsTensor is { } tensor)
        {
            if (tensor.Shape.Count != 2)
            {
                throw new LanceIndexException($"The index file '{indexName}': the centroid tensor has shape [{string.Join(", ", tensor.Shape)}], not [partitions, dimension].");
            }

            centroids = IndexFileBuffers.Floats(tensor, "centroids", indexName);
            partitions = (int)tensor.Shape[0];
            dimension = (int)tensor.Shape[1];
        }
        else
        {
            throw new LanceIndexException($"The index file '{indexName}' records no centroid tensor.");
        }

        using var auxFile = DataFileReader.FromBytes(auxBytes, auxName);
        var storage = JsonDocument.Parse(IndexFileBuffers.Metadata(auxFile.Schema, "storage_metadata", auxName)).RootElement;
        var pq = JsonDocument.Parse(storage[0].GetString()!).RootElement;
        var bits = pq.GetProperty("nbits").GetInt32();
        var subVectors = pq.GetProperty("num_sub_vectors").GetInt32();
        var transposed = pq.TryGetProperty("transposed", out var tr) && tr.GetBoolean();
        if (bits != 8)
        {
            throw new LanceIndexException($"The IVF_PQ index file '{auxName}' uses {bits}-bit codes; Lance.Engine reads 8-bit ones.");
        }

        if (pq.GetProperty("dimension").GetInt32() != dimension || subVectors < 1 || dimension % subVectors != 0)
        {
            throw new LanceIndexException($"The IVF_PQ index file '{auxName}': {subVectors} sub-vectors of a {dimension}-dimensional index do not fit its codebook.");
        }

        var codebookTensor = IndexFileBuffers.Parse(
            IndexFileBuffers.GlobalBuffer(auxBytes, pq.GetProperty("codebook_position").GetInt32(), auxName), Tensor.Parser, auxName);
        var codebook = Regroup(IndexFileBuffers.Floats(codebookTensor, "codebook", auxName), dimension, subVectors, auxName);
        var lengths = IndexFileBuffers.Message(auxBytes, auxFile.Schema, "lance:ivf", IVF.Parser, auxName).Lengths;
        if (lengths.Count != partitions)
        {
            throw new LanceIndexException($"The IVF_PQ index '{auxName}' lists {lengths.Count} partitions; its centroids {partitions}.");
        }

        var batch = auxFile.Read(["_rowid", "__pq_code"]);
        var rowIdColumn = (UInt64Array)batch.Column(0);
        var codeColumn = (FixedSizeListArray)batch.Column(1);
        var allCodes = ((UInt8Array)codeColumn.Values).Values[(codeColumn.Offset * subVectors)..];
        var rowIds = new long[partitions][];
        var codes = new byte[partitions][];
        var start = 0;
        for (var p = 0; p < partitions; p++)
        {
            var n = checked((int)lengths[p]);
            if (start + n > batch.Length)
            {
                throw new LanceIndexException($"The IVF_PQ index '{auxName}' lists more rows in its partitions than its {batch.Length} rows.");
            }

            rowIds[p] = new long[n];
            for (var i = 0; i < n; i++)
            {
                rowIds[p][i] = (long)rowIdColumn.Values[start + i];
            }

            var source = allCodes.Slice(start * subVectors, n * subVectors);
            codes[p] = transposed ? source.ToArray() : Transpose(source, n, subVectors);
            start += n;
        }

        return new IvfPqIndex
        {
            Metric = metric,
            Dimension = dimension,
            Partitions = partitions,
            SubVectors = subVectors,
            Residual = metric != DistanceMetric.Dot,
            Centroids = centroids,
            Codebook = codebook,
            RowIds = rowIds,
            Codes = codes,
            Fragments = fragments,
        };
    }

    /// <summary>
    /// Checks the codebook's size. Lance's tensor says <c>[256, dimension]</c>, but its values run
    /// sub-vector by sub-vector (<c>[subVectors][256][subDimension]</c>), this engine's own order.
    /// </summary>
    private static float[] Regroup(float[] lance, int dimension, int subVectors, string name)
    {
        if (lance.Length != IvfPqIndex.CodebookSize * dimension)
        {
            throw new LanceIndexException($"The IVF_PQ index file '{name}' has a codebook of {lance.Length} values, not 256 × {dimension} for {subVectors} sub-vectors.");
        }

        return lance;
    }

    /// <summary>Row-major codes (<c>[row][m]</c>) as sub-vector-major (<c>[m][row]</c>).</summary>
    public static byte[] Transpose(ReadOnlySpan<byte> rowMajor, int rows, int subVectors)
    {
        var result = new byte[rows * subVectors];
        for (var i = 0; i < rows; i++)
        {
            for (var m = 0; m < subVectors; m++)
            {
                result[(m * rows) + i] = rowMajor[(i * subVectors) + m];
            }
        }

        return result;
    }
}
