using System.Text.Json;
using Apache.Arrow;
using Lance.Engine.DataFiles;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Format.Protos.VectorIndex;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// Reads an IVF_FLAT, IVF_SQ or IVF_HNSW_SQ index in Lance's format into a <see cref="LanceIvfIndex"/>.
/// <c>index.idx</c>: the <c>lance:index</c> kind and distance, the centroids in an <c>IVF</c> message,
/// and for IVF_HNSW_SQ the graph rows (<c>__vector_id</c>, <c>__neighbors</c>, <c>_distance</c>),
/// partition after partition, each partition's levels sliced by the <c>level_offsets</c> of its
/// <c>lance:hnsw</c> entry. <c>auxiliary.idx</c>: <c>_rowid</c> with <c>flat</c> vectors or
/// <c>__sq_code</c> codes, partition after partition (lengths in its own <c>IVF</c> message), the SQ
/// range in <c>storage_metadata</c>.
/// </summary>
internal static class LanceIvfReader
{
    /// <summary>Reads the index <paramref name="metadata"/> records.</summary>
    /// <exception cref="LanceIndexException">A file is missing, corrupt, or of a layout this engine does not read.</exception>
    public static LanceIvfIndex Read(DatasetFiles files, IndexMetadata metadata)
    {
        var folder = DatasetFiles.IndexFolder(metadata.FolderName);
        var indexName = files.Describe(folder + LanceVectorDetails.IndexFileName);
        var auxName = files.Describe(folder + LanceVectorDetails.AuxiliaryFileName);
        try
        {
            var indexBytes = files.ReadAll(folder + LanceVectorDetails.IndexFileName);
            var auxBytes = files.ReadAll(folder + LanceVectorDetails.AuxiliaryFileName);
            return Read(indexBytes, indexName, auxBytes, auxName, metadata.Fragments.ToArray());
        }
        catch (Exception e) when (e is IOException or LanceFormatException or InvalidCastException or JsonException or KeyNotFoundException or ArgumentException or OverflowException or InvalidOperationException)
        {
            throw new LanceIndexException($"The vector index '{metadata.Name}' ({indexName}) cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads the two files of an index held in memory.</summary>
    public static LanceIvfIndex Read(byte[] indexBytes, string indexName, byte[] auxBytes, string auxName, ulong[] fragments)
    {
        using var indexFile = DataFileReader.FromBytes(indexBytes, indexName);
        var description = JsonDocument.Parse(IndexFileBuffers.Metadata(indexFile.Schema, "lance:index", indexName)).RootElement;
        var type = description.TryGetProperty("type", out var t) ? t.GetString() : null;
        var kind = type switch
        {
            "IVF_FLAT" => LanceIvfKind.Flat,
            "IVF_SQ" => LanceIvfKind.Sq,
            "IVF_HNSW_SQ" => LanceIvfKind.HnswSq,
            _ => throw new LanceIndexException($"The index file '{indexName}' holds a {type ?? "(untyped)"} index, not IVF_FLAT, IVF_SQ or IVF_HNSW_SQ."),
        };
        var metric = LanceVectorDetails.ParseMetric(description.TryGetProperty("distance_type", out var d) ? d.GetString() : null)
            ?? throw new LanceIndexException($"The index file '{indexName}' names no distance this engine knows ({description}).");
        var ivf = IndexFileBuffers.Message(indexBytes, indexFile.Schema, "lance:ivf", IVF.Parser, indexName);
        if (ivf.CentroidsTensor is not { Shape.Count: 2 } tensor)
        {
            throw new LanceIndexException($"The index file '{indexName}' records no [partitions, dimension] centroid tensor.");
        }

        var centroids = IndexFileBuffers.Floats(tensor, "centroids", indexName);
        var partitions = (int)tensor.Shape[0];
        var dimension = (int)tensor.Shape[1];

        using var auxFile = DataFileReader.FromBytes(auxBytes, auxName);
        var lengths = IndexFileBuffers.Message(auxBytes, auxFile.Schema, "lance:ivf", IVF.Parser, auxName).Lengths;
        if (lengths.Count != partitions)
        {
            throw new LanceIndexException($"The index '{auxName}' lists {lengths.Count} partitions; its centroids {partitions}.");
        }

        var storage = JsonDocument.Parse(IndexFileBuffers.Metadata(auxFile.Schema, "storage_metadata", auxName)).RootElement;
        var quantizer = default(ScalarQuantizer);
        var column = "flat";
        if (kind != LanceIvfKind.Flat)
        {
            var sq = JsonDocument.Parse(storage[0].GetString()!).RootElement;
            var bits = sq.GetProperty("num_bits").GetInt32();
            if (bits != 8)
            {
                throw new LanceIndexException($"The index file '{auxName}' uses {bits}-bit scalar quantisation; Lance.Engine reads 8-bit codes.");
            }

            var bounds = sq.GetProperty("bounds");
            quantizer = new ScalarQuantizer(bounds.GetProperty("start").GetDouble(), bounds.GetProperty("end").GetDouble());
            column = "__sq_code";
        }

        var batch = auxFile.Read(["_rowid", column]);
        var rowIdColumn = (UInt64Array)batch.Column(0);
        var values = (FixedSizeListArray)batch.Column(1);
        if (values.Length > 0 && ((Apache.Arrow.Types.FixedSizeListType)values.Data.DataType).ListSize != dimension)
        {
            throw new LanceIndexException($"The index file '{auxName}': its '{column}' column does not hold {dimension} values per row.");
        }

        var rowIds = new long[partitions][];
        var binary = kind == LanceIvfKind.Flat && values.Values is UInt8Array;
        if (binary != (metric == DistanceMetric.Hamming))
        {
            throw new LanceIndexException($"The index file '{auxName}' holds {(binary ? "uint8" : "float")} vectors for {LanceVectorDetails.MetricName(metric)} distances; Lance.Engine reads uint8 ones for hamming and float ones otherwise.");
        }

        var bitVectors = binary ? new byte[partitions][] : null;
        var vectors = kind == LanceIvfKind.Flat && !binary ? new float[partitions][] : null;
        var codes = kind == LanceIvfKind.Flat ? null : new byte[partitions][];
        var start = 0;
        for (var p = 0; p < partitions; p++)
        {
            var n = checked((int)lengths[p]);
            if (start + n > batch.Length)
            {
                throw new LanceIndexException($"The index '{auxName}' lists more rows in its partitions than its {batch.Length} rows.");
            }

            rowIds[p] = new long[n];
            for (var i = 0; i < n; i++)
            {
                rowIds[p][i] = (long)rowIdColumn.Values[start + i];
            }

            if (bitVectors is not null)
            {
                var all = ((UInt8Array)values.Values).Values[(values.Offset * dimension)..];
                bitVectors[p] = all.Slice(start * dimension, n * dimension).ToArray();
            }
            else if (vectors is not null)
            {
                var all = ((FloatArray)values.Values).Values[(values.Offset * dimension)..];
                vectors[p] = all.Slice(start * dimension, n * dimension).ToArray();
            }
            else
            {
                var all = ((UInt8Array)values.Values).Values[(values.Offset * dimension)..];
                codes![p] = all.Slice(start * dimension, n * dimension).ToArray();
            }

            start += n;
        }

        return new LanceIvfIndex
        {
            Kind = kind,
            Metric = metric,
            Dimension = dimension,
            Centroids = centroids,
            RowIds = rowIds,
            Vectors = vectors,
            Bits = bitVectors,
            Codes = codes,
            Quantizer = quantizer,
            Graphs = kind == LanceIvfKind.HnswSq ? ReadGraphs(indexFile, ivf, rowIds, indexName) : null,
            Fragments = fragments,
        };
    }

    private static HnswGraph?[] ReadGraphs(DataFileReader indexFile, IVF ivf, long[][] rowIds, string name)
    {
        var partitions = rowIds.Length;
        var entries = JsonDocument.Parse(IndexFileBuffers.Metadata(indexFile.Schema, "lance:hnsw", name)).RootElement;
        if (entries.GetArrayLength() != partitions || ivf.Offsets.Count != partitions || ivf.Lengths.Count != partitions)
        {
            throw new LanceIndexException($"The index file '{name}' describes the graphs of {entries.GetArrayLength()} partitions, not {partitions}.");
        }

        var batch = indexFile.Read(["__vector_id", "__neighbors", "_distance"]);
        var ids = (UInt32Array)batch.Column(0);
        var neighborLists = (ListArray)batch.Column(1);
        var distanceLists = (ListArray)batch.Column(2);
        var neighborValues = (UInt32Array)neighborLists.Values;
        var distanceValues = (FloatArray)distanceLists.Values;
        var graphs = new HnswGraph?[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var text = entries[p].GetString();
            var count = rowIds[p].Length;
            if (string.IsNullOrEmpty(text) || count == 0)
            {
                continue;
            }

            var meta = JsonDocument.Parse(text).RootElement;
            var parameters = meta.GetProperty("params");
            var levelOffsets = meta.GetProperty("level_offsets").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            var levels = Math.Max(1, levelOffsets.Length - 1);
            var neighbors = new int[]?[levels][];
            var distances = new float[]?[levels][];
            var baseRow = checked((int)ivf.Offsets[p]);
            var rows = (int)ivf.Lengths[p];
            for (var level = 0; level < levels; level++)
            {
                neighbors[level] = new int[count][];
                distances[level] = new float[count][];
                var from = level < levelOffsets.Length ? levelOffsets[level] : 0;
                var to = level + 1 < levelOffsets.Length ? levelOffsets[level + 1] : from;
                for (var r = from; r < to && r < rows; r++)
                {
                    var row = baseRow + r;
                    var node = checked((int)ids.Values[row]);
                    if (node >= count)
                    {
                        throw new LanceIndexException($"The index file '{name}': partition {p}'s graph names node {node} of {count}.");
                    }

                    var first = neighborLists.ValueOffsets[row];
                    var last = neighborLists.ValueOffsets[row + 1];
                    var list = new int[last - first];
                    for (var i = 0; i < list.Length; i++)
                    {
                        list[i] = checked((int)neighborValues.Values[first + i]);
                        if (list[i] >= count)
                        {
                            throw new LanceIndexException($"The index file '{name}': partition {p}'s graph links to node {list[i]} of {count}.");
                        }
                    }

                    neighbors[level][node] = list;
                    var dFirst = distanceLists.ValueOffsets[row];
                    distances[level][node] = distanceValues.Values.Slice(dFirst, distanceLists.ValueOffsets[row + 1] - dFirst).ToArray();
                }
            }

            graphs[p] = new HnswGraph(
                levels,
                parameters.TryGetProperty("m", out var m) ? m.GetInt32() : HnswGraph.DefaultM,
                parameters.TryGetProperty("ef_construction", out var ef) ? ef.GetInt32() : HnswGraph.DefaultEfConstruction,
                neighbors,
                distances);
        }

        return graphs;
    }
}
