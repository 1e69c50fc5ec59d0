using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Google.Protobuf;
using Lance.Engine.DataFiles;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Format.Protos.VectorIndex;
using V21 = Lance.Engine.DataFiles.V21;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// Writes an <see cref="IvfPqIndex"/> in Lance's IVF_PQ format, the one <see cref="LanceIvfPqReader"/>
/// reads and LanceDB searches: <c>index.idx</c> (no rows; the centroids in an <c>IVF</c> message, an
/// empty FLAT sub-index per partition) and <c>auxiliary.idx</c> (<c>_rowid</c> and <c>__pq_code</c>,
/// partition after partition, codes sub-vector-major; lengths and codebook in global buffers).
/// </summary>
internal static class LanceIvfPqWriter
{
    /// <summary>Writes both files into the index folder <paramref name="folder"/>; returns their names and sizes.</summary>
    public static async Task<IReadOnlyList<(string Name, long Size)>> WriteAsync(DatasetFiles files, string folder, IvfPqIndex index, CancellationToken cancellationToken)
    {
        if (index.Metric != DistanceMetric.Dot && !index.Residual)
        {
            throw new LanceIndexException("Lance's IVF_PQ format quantises residuals for l2 and cosine indexes; this index was built without them.");
        }

        var (indexBytes, auxBytes) = Encode(index, cancellationToken);
        var written = new List<(string, long)>();
        foreach (var (name, bytes) in new[] { (LanceVectorDetails.AuxiliaryFileName, auxBytes), (LanceVectorDetails.IndexFileName, indexBytes) })
        {
            var output = await files.Store.CreateAsync(DatasetFiles.IndexFolder(folder) + name, cancellationToken).ConfigureAwait(false);
            await using (output.ConfigureAwait(false))
            {
                await output.Stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            written.Add((name, bytes.Length));
        }

        return written;
    }

    /// <summary>The two files' bytes.</summary>
    public static (byte[] Index, byte[] Auxiliary) Encode(IvfPqIndex index, CancellationToken cancellationToken)
    {
        var metric = LanceVectorDetails.MetricName(index.Metric);

        // index.idx: the centroids, and per partition an empty FLAT sub-index (offset 0, length 0).
        var ivf = new IVF { CentroidsTensor = IndexFileBuffers.FloatTensor(index.Centroids, (uint)index.Partitions, (uint)index.Dimension) };
        ivf.Offsets.AddRange(Enumerable.Repeat(0UL, index.Partitions));
        ivf.Lengths.AddRange(Enumerable.Repeat(0U, index.Partitions));
        var indexSchema = new Schema.Builder()
            .Field(f => f.Name("__flat_marker").DataType(UInt64Type.Default).Nullable(false))
            .Metadata("lance:index", Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", LanceVectorDetails.IvfPq);
                w.WriteString("distance_type", metric);
                w.WriteEndObject();
            }))
            .Metadata("lance:ivf", "1")
            .Metadata("lance:flat", Json(w =>
            {
                w.WriteStartArray();
                for (var p = 0; p < index.Partitions; p++)
                {
                    w.WriteStringValue("");
                }

                w.WriteEndArray();
            }))
            .Build();
        var indexBytes = WriteFile(indexSchema, new RecordBatch(indexSchema, [new UInt64Array.Builder().Build()], 0), [ivf.ToByteArray()], "index.idx", cancellationToken);

        // auxiliary.idx: the rows, partition after partition.
        var rows = index.RowIds.Sum(r => r.Length);
        var rowIds = new ulong[rows];
        var codes = new byte[(long)rows * index.SubVectors];
        var lengths = new IVF();
        var start = 0;
        for (var p = 0; p < index.Partitions; p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = index.RowIds[p].Length;
            for (var i = 0; i < n; i++)
            {
                rowIds[start + i] = (ulong)index.RowIds[p][i];
            }

            index.Codes[p].AsSpan(0, n * index.SubVectors).CopyTo(codes.AsSpan(start * index.SubVectors));
            lengths.Offsets.Add((ulong)start);
            lengths.Lengths.Add((uint)n);
            start += n;
        }

        var pqMetadata = Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("codebook_position", 2);
            w.WriteNumber("nbits", 8);
            w.WriteNumber("num_sub_vectors", index.SubVectors);
            w.WriteNumber("dimension", index.Dimension);
            w.WriteStartArray("codebook_tensor");
            w.WriteEndArray();
            w.WriteBoolean("transposed", true);
            w.WriteEndObject();
        });
        var codeType = new FixedSizeListType(new Field("item", UInt8Type.Default, nullable: true), index.SubVectors);
        var auxSchema = new Schema.Builder()
            .Field(f => f.Name("_rowid").DataType(UInt64Type.Default).Nullable(true))
            .Field(f => f.Name("__pq_code").DataType(codeType).Nullable(true))
            .Metadata("distance_type", metric)
            .Metadata("lance:ivf", "1")
            .Metadata("storage_metadata", Json(w =>
            {
                w.WriteStartArray();
                w.WriteStringValue(pqMetadata);
                w.WriteEndArray();
            }))
            .Build();
        var rowIdArray = new UInt64Array(new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(rowIds.AsSpan()).ToArray()), ArrowBuffer.Empty, rows, 0, 0);
        var codeValues = new UInt8Array(new ArrowBuffer(codes), ArrowBuffer.Empty, codes.Length, 0, 0);
        var codeArray = new FixedSizeListArray(codeType, rows, codeValues, ArrowBuffer.Empty, 0);
        var codebook = IndexFileBuffers.FloatTensor(index.Codebook, IvfPqIndex.CodebookSize, (uint)index.Dimension);
        var auxBytes = WriteFile(auxSchema, new RecordBatch(auxSchema, [rowIdArray, codeArray], rows), [lengths.ToByteArray(), codebook.ToByteArray()], "auxiliary.idx", cancellationToken);
        return (indexBytes, auxBytes);
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static byte[] WriteFile(Schema schema, RecordBatch batch, IReadOnlyList<byte[]> globalBuffers, string name, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        V21.DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), [batch], new DataFileWriterOptions { GlobalBuffers = globalBuffers, Name = name }, cancellationToken);
        return stream.ToArray();
    }

    /// <summary>The manifest's details of an IVF_PQ index in Lance's format.</summary>
    public static byte[] Details(IvfPqIndex index)
    {
        var details = new VectorIndexDetails
        {
            MetricType = index.Metric switch
            {
                DistanceMetric.Cosine => VectorMetricType.Cosine,
                DistanceMetric.Dot => VectorMetricType.Dot,
                _ => VectorMetricType.L2,
            },
            Pq = new VectorIndexDetails.Types.ProductQuantization { NumBits = 8, NumSubVectors = (uint)index.SubVectors },
        };
        return details.ToByteArray();
    }
}
