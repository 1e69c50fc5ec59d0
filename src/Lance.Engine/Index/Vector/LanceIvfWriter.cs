using System.Runtime.InteropServices;
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
/// Writes a <see cref="LanceIvfIndex"/> in Lance's format, the one <see cref="LanceIvfReader"/> reads
/// and LanceDB searches. <c>index.idx</c>: the centroids in an <c>IVF</c> message, and per partition
/// either an empty FLAT sub-index (IVF_FLAT, IVF_SQ) or the HNSW rows of its levels, level after
/// level, with a <c>lance:hnsw</c> entry whose <c>level_offsets</c> match them exactly.
/// <c>auxiliary.idx</c>: <c>_rowid</c> and <c>flat</c> (float vectors, or uint8 ones for hamming, whose
/// centroids are then a uint8 tensor) or <c>__sq_code</c>, partition after partition.
/// </summary>
internal static class LanceIvfWriter
{
    /// <summary>Writes both files into the index folder <paramref name="folder"/>.</summary>
    public static async Task WriteAsync(DatasetFiles files, string folder, LanceIvfIndex index, CancellationToken cancellationToken)
    {
        var (indexBytes, auxBytes) = Encode(index, cancellationToken);
        foreach (var (name, bytes) in new[] { (LanceVectorDetails.AuxiliaryFileName, auxBytes), (LanceVectorDetails.IndexFileName, indexBytes) })
        {
            var output = await files.Store.CreateAsync(DatasetFiles.IndexFolder(folder) + name, cancellationToken).ConfigureAwait(false);
            await using (output.ConfigureAwait(false))
            {
                await output.Stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await output.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The two files' bytes.</summary>
    public static (byte[] Index, byte[] Auxiliary) Encode(LanceIvfIndex index, CancellationToken cancellationToken)
    {
        var metric = LanceVectorDetails.MetricName(index.Metric);
        var partitions = index.Partitions;
        var dim = index.Dimension;

        // auxiliary.idx: the rows, partition after partition.
        var rows = (int)index.IndexedRows;
        var rowIds = new ulong[rows];
        var storageIvf = new IVF();
        var start = 0;
        for (var p = 0; p < partitions; p++)
        {
            var n = index.RowIds[p].Length;
            for (var i = 0; i < n; i++)
            {
                rowIds[start + i] = (ulong)index.RowIds[p][i];
            }

            storageIvf.Offsets.Add((ulong)start);
            storageIvf.Lengths.Add((uint)n);
            start += n;
        }

        IArrowArray valueArray;
        IArrowType valueType;
        string column;
        string storageMetadata;
        if (index.Bits is not null)
        {
            // Hamming IVF_FLAT: the uint8 vectors themselves, as LanceDB keeps them.
            var all = index.Bits.SelectMany(v => v).ToArray();
            valueType = new FixedSizeListType(new Field("item", UInt8Type.Default, nullable: true), dim);
            valueArray = new FixedSizeListArray(valueType, rows, new UInt8Array(new ArrowBuffer(all), ArrowBuffer.Empty, all.Length, 0, 0), ArrowBuffer.Empty, 0);
            column = "flat";
            storageMetadata = Json(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("dim", dim);
                w.WriteEndObject();
            });
        }
        else if (index.Kind == LanceIvfKind.Flat)
        {
            var all = index.Vectors!.SelectMany(v => v).ToArray();
            valueType = new FixedSizeListType(new Field("item", FloatType.Default, nullable: true), dim);
            valueArray = new FixedSizeListArray(valueType, rows, new FloatArray(new ArrowBuffer(MemoryMarshal.AsBytes(all.AsSpan()).ToArray()), ArrowBuffer.Empty, all.Length, 0, 0), ArrowBuffer.Empty, 0);
            column = "flat";
            storageMetadata = Json(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("dim", dim);
                w.WriteEndObject();
            });
        }
        else
        {
            var all = index.Codes!.SelectMany(c => c).ToArray();
            valueType = new FixedSizeListType(new Field("item", UInt8Type.Default, nullable: true), dim);
            valueArray = new FixedSizeListArray(valueType, rows, new UInt8Array(new ArrowBuffer(all), ArrowBuffer.Empty, all.Length, 0, 0), ArrowBuffer.Empty, 0);
            column = "__sq_code";
            storageMetadata = Json(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("dim", dim);
                w.WriteNumber("num_bits", 8);
                w.WriteStartObject("bounds");
                w.WriteNumber("start", index.Quantizer.Start);
                w.WriteNumber("end", index.Quantizer.End);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }

        var auxSchema = new Schema.Builder()
            .Field(f => f.Name("_rowid").DataType(UInt64Type.Default).Nullable(true))
            .Field(f => f.Name(column).DataType(valueType).Nullable(true))
            .Metadata("distance_type", metric)
            .Metadata("lance:ivf", "1")
            .Metadata("storage_metadata", Json(w =>
            {
                w.WriteStartArray();
                w.WriteStringValue(storageMetadata);
                w.WriteEndArray();
            }))
            .Build();
        var rowIdArray = new UInt64Array(new ArrowBuffer(MemoryMarshal.AsBytes(rowIds.AsSpan()).ToArray()), ArrowBuffer.Empty, rows, 0, 0);
        var auxBytes = WriteFile(auxSchema, new RecordBatch(auxSchema, [rowIdArray, valueArray], rows), [storageIvf.ToByteArray()], "auxiliary.idx", cancellationToken);

        // index.idx: the centroids, and the sub-index of each partition.
        // Hamming centroids are bytes (LanceDB writes a uint8 tensor); the others float32.
        var ivf = new IVF
        {
            CentroidsTensor = index.Bits is null
                ? IndexFileBuffers.FloatTensor(index.Centroids, (uint)partitions, (uint)dim)
                : IndexFileBuffers.ByteTensor(index.Centroids, (uint)partitions, (uint)dim),
        };
        var description = Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", index.KindName);
            w.WriteString("distance_type", metric);
            w.WriteEndObject();
        });
        byte[] indexBytes;
        if (index.Kind == LanceIvfKind.HnswSq)
        {
            indexBytes = EncodeGraphs(index, ivf, description, cancellationToken);
        }
        else
        {
            ivf.Offsets.AddRange(Enumerable.Repeat(0UL, partitions));
            ivf.Lengths.AddRange(Enumerable.Repeat(0U, partitions));
            var schema = new Schema.Builder()
                .Field(f => f.Name("__flat_marker").DataType(UInt64Type.Default).Nullable(false))
                .Metadata("lance:index", description)
                .Metadata("lance:ivf", "1")
                .Metadata("lance:flat", Json(w =>
                {
                    w.WriteStartArray();
                    for (var p = 0; p < partitions; p++)
                    {
                        w.WriteStringValue("");
                    }

                    w.WriteEndArray();
                }))
                .Build();
            indexBytes = WriteFile(schema, new RecordBatch(schema, [new UInt64Array.Builder().Build()], 0), [ivf.ToByteArray()], "index.idx", cancellationToken);
        }

        return (indexBytes, auxBytes);
    }

    private static byte[] EncodeGraphs(LanceIvfIndex index, IVF ivf, string description, CancellationToken cancellationToken)
    {
        var ids = new List<uint>();
        var neighborOffsets = new List<int> { 0 };
        var neighbors = new List<uint>();
        var distances = new List<float>();
        var entries = new List<string>();
        for (var p = 0; p < index.Partitions; p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var first = ids.Count;
            if (index.Graphs?[p] is not { Count: > 0 } graph)
            {
                ivf.Offsets.Add((ulong)first);
                ivf.Lengths.Add(0);
                entries.Add("");
                continue;
            }

            var levelOffsets = new List<int> { 0 };
            // A graph read for searching keeps no distances (one a remap keeps is written again): they are measured anew.
            var between = graph.Levels.Any(l => l.Distances is null) ? LanceIvfBuilder.CodeDistance(index.Codes![p], index.Dimension, index.Quantizer, index.Metric) : null;
            for (var level = 0; level < graph.MaxLevel; level++)
            {
                var stored = graph.Levels[level];
                for (var slot = 0; slot < stored.Count; slot++)
                {
                    var node = stored.NodeAt(slot);
                    ids.Add((uint)node);
                    var (from, to) = (stored.Offsets[slot], stored.Offsets[slot + 1]);
                    foreach (var neighbor in stored.Links.AsSpan(from, to - from))
                    {
                        neighbors.Add((uint)neighbor);
                        if (stored.Distances is null)
                        {
                            distances.Add(between!(node, neighbor));
                        }
                    }

                    if (stored.Distances is { } kept)
                    {
                        distances.AddRange(kept.AsSpan(from, to - from));
                    }

                    neighborOffsets.Add(neighbors.Count);
                }

                levelOffsets.Add(ids.Count - first);
            }

            ivf.Offsets.Add((ulong)first);
            ivf.Lengths.Add((uint)(ids.Count - first));
            entries.Add(Json(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("entry_point", 0);
                w.WriteStartObject("params");
                w.WriteNumber("max_level", graph.MaxLevel);
                w.WriteNumber("m", graph.M);
                w.WriteNumber("ef_construction", graph.EfConstruction);
                w.WriteNumber("prefetch_distance", 2);
                w.WriteEndObject();
                w.WriteStartArray("level_offsets");
                foreach (var offset in levelOffsets)
                {
                    w.WriteNumberValue(offset);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }

        var count = ids.Count;
        var neighborType = new ListType(new Field("item", UInt32Type.Default, nullable: true));
        var distanceType = new ListType(new Field("item", FloatType.Default, nullable: true));
        var schema = new Schema.Builder()
            .Field(f => f.Name("__vector_id").DataType(UInt32Type.Default).Nullable(false))
            .Field(f => f.Name("__neighbors").DataType(neighborType).Nullable(false))
            .Field(f => f.Name("_distance").DataType(distanceType).Nullable(false))
            .Metadata("lance:index", description)
            .Metadata("lance:ivf", "1")
            .Metadata("lance:hnsw", Json(w =>
            {
                w.WriteStartArray();
                foreach (var entry in entries)
                {
                    w.WriteStringValue(entry);
                }

                w.WriteEndArray();
            }))
            .Build();
        var offsets = new ArrowBuffer(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(neighborOffsets)).ToArray());
        var idArray = new UInt32Array(new ArrowBuffer(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(ids)).ToArray()), ArrowBuffer.Empty, count, 0, 0);
        var neighborValues = new UInt32Array(new ArrowBuffer(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(neighbors)).ToArray()), ArrowBuffer.Empty, neighbors.Count, 0, 0);
        var distanceValues = new FloatArray(new ArrowBuffer(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(distances)).ToArray()), ArrowBuffer.Empty, distances.Count, 0, 0);
        var batch = new RecordBatch(schema, [
            idArray,
            new ListArray(neighborType, count, offsets, neighborValues, ArrowBuffer.Empty, 0, 0),
            new ListArray(distanceType, count, offsets, distanceValues, ArrowBuffer.Empty, 0, 0),
        ], count);
        // Bit-packed as Lance packs its own graph files: node ids within a partition need far fewer than 32 bits.
        return WriteFile(schema, batch, [ivf.ToByteArray()], "index.idx", cancellationToken, compact: true);
    }

    /// <summary>The manifest's details of the index.</summary>
    public static byte[] Details(LanceIvfIndex index)
    {
        var details = new VectorIndexDetails
        {
            MetricType = index.Metric switch
            {
                DistanceMetric.Cosine => VectorMetricType.Cosine,
                DistanceMetric.Dot => VectorMetricType.Dot,
                DistanceMetric.Hamming => VectorMetricType.Hamming,
                _ => VectorMetricType.L2,
            },
        };
        if (index.Kind == LanceIvfKind.Flat)
        {
            details.Flat = new VectorIndexDetails.Types.FlatCompression();
        }
        else
        {
            details.Sq = new VectorIndexDetails.Types.ScalarQuantization { NumBits = 8 };
        }

        if (index.Kind == LanceIvfKind.HnswSq && index.Graphs?.FirstOrDefault(g => g is not null) is { } graph)
        {
            details.HnswIndexConfig = new VectorIndexDetails.Types.HnswConfig { MaxConnections = (uint)graph.M, ConstructionEf = (uint)graph.EfConstruction, MaxLevel = (uint)graph.MaxLevel };
        }
        else if (index.Kind == LanceIvfKind.HnswSq)
        {
            details.HnswIndexConfig = new VectorIndexDetails.Types.HnswConfig { MaxConnections = HnswGraph.DefaultM, ConstructionEf = HnswGraph.DefaultEfConstruction, MaxLevel = HnswGraph.DefaultMaxLevel };
        }

        return details.ToByteArray();
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

    private static byte[] WriteFile(Schema schema, RecordBatch batch, IReadOnlyList<byte[]> globalBuffers, string name, CancellationToken cancellationToken, bool compact = false)
    {
        using var stream = new MemoryStream();
        V21.DataFileWriter.Write(stream, LanceSchema.FromArrow(schema), [batch], new DataFileWriterOptions { GlobalBuffers = globalBuffers, Name = name, Compact = compact }, cancellationToken);
        return stream.ToArray();
    }
}
