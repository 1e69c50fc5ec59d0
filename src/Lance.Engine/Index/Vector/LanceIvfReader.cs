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
/// and for IVF_HNSW_SQ the graph rows (<c>__vector_id</c>, <c>__neighbors</c>; their <c>_distance</c> is not read),
/// partition after partition, each partition's levels sliced by the <c>level_offsets</c> of its
/// <c>lance:hnsw</c> entry. <c>auxiliary.idx</c>: <c>_rowid</c> with <c>flat</c> vectors or
/// <c>__sq_code</c> codes, partition after partition (lengths in its own <c>IVF</c> message), the SQ
/// range in <c>storage_metadata</c>.
/// </summary>
internal static class LanceIvfReader
{
    /// <summary>Reads the index <paramref name="metadata"/> records.</summary>
    /// <exception cref="LanceIndexException">A file is missing, corrupt, or of a layout this engine does not read.</exception>
    /// <remarks>
    /// The files are read in place, not loaded whole: each partition's codes (or vectors) straight
    /// into its own array, and of the graph only the node ids and neighbour lists a search walks, so
    /// the memory an open index holds is about its codes plus its links.
    /// </remarks>
    public static LanceIvfIndex Read(DatasetFiles files, IndexMetadata metadata)
    {
        var folder = DatasetFiles.IndexFolder(metadata.FolderName);
        var indexName = files.Describe(folder + LanceVectorDetails.IndexFileName);
        var auxName = files.Describe(folder + LanceVectorDetails.AuxiliaryFileName);
        try
        {
            using var indexFile = files.OpenData(folder + LanceVectorDetails.IndexFileName);
            using var auxFile = files.OpenData(folder + LanceVectorDetails.AuxiliaryFileName);
            return Read(indexFile, indexName, auxFile, auxName, metadata.Fragments.ToArray());
        }
        catch (Exception e) when (e is IOException or LanceFormatException or InvalidCastException or JsonException or KeyNotFoundException or ArgumentException or OverflowException or InvalidOperationException)
        {
            throw new LanceIndexException($"The vector index '{metadata.Name}' ({indexName}) cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads the two files of an index, open.</summary>
    public static LanceIvfIndex Read(DataFileReader indexFile, string indexName, DataFileReader auxFile, string auxName, ulong[] fragments)
    {
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
        var ivf = IndexFileBuffers.Message(indexFile, "lance:ivf", IVF.Parser, indexName);
        if (ivf.CentroidsTensor is not { Shape.Count: 2 } tensor)
        {
            throw new LanceIndexException($"The index file '{indexName}' records no [partitions, dimension] centroid tensor.");
        }

        var centroids = IndexFileBuffers.Floats(tensor, "centroids", indexName);
        var partitions = (int)tensor.Shape[0];
        var dimension = (int)tensor.Shape[1];

        var lengths = IndexFileBuffers.Message(auxFile, "lance:ivf", IVF.Parser, auxName).Lengths;
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

        var rowIdColumn = (UInt64Array)auxFile.ReadColumn(Field(auxFile, "_rowid", auxName));
        var values = new PartitionValues(auxFile, Field(auxFile, column, auxName), dimension, auxName);
        var rowIds = new long[partitions][];
        var binary = kind == LanceIvfKind.Flat && values.IsBytes;
        if (binary != (metric == DistanceMetric.Hamming))
        {
            throw new LanceIndexException($"The index file '{auxName}' holds {(binary ? "uint8" : "float")} vectors for {LanceVectorDetails.MetricName(metric)} distances; Lance.Engine reads uint8 ones for hamming and float ones otherwise.");
        }

        if (kind != LanceIvfKind.Flat && !values.IsBytes)
        {
            throw new LanceIndexException($"The index file '{auxName}': its '{column}' column does not hold uint8 codes.");
        }

        var blocks = new byte[partitions][];
        var start = 0L;
        for (var p = 0; p < partitions; p++)
        {
            var n = checked((int)lengths[p]);
            if (start + n > rowIdColumn.Length)
            {
                throw new LanceIndexException($"The index '{auxName}' lists more rows in its partitions than its {rowIdColumn.Length} rows.");
            }

            rowIds[p] = new long[n];
            for (var i = 0; i < n; i++)
            {
                rowIds[p][i] = (long)rowIdColumn.Values[(int)start + i];
            }

            blocks[p] = values.Rows(start, n);
            start += n;
        }

        values.Finish();
        float[][]? vectors = null;
        if (kind == LanceIvfKind.Flat && !binary)
        {
            vectors = new float[partitions][];
            for (var p = 0; p < partitions; p++)
            {
                vectors[p] = PartitionValues.Floats(blocks[p]);
                blocks[p] = [];
            }
        }

        return new LanceIvfIndex
        {
            Kind = kind,
            Metric = metric,
            Dimension = dimension,
            Centroids = centroids,
            RowIds = rowIds,
            Vectors = vectors,
            Bits = binary ? blocks : null,
            Codes = kind == LanceIvfKind.Flat ? null : blocks,
            Quantizer = quantizer,
            Graphs = kind == LanceIvfKind.HnswSq ? ReadGraphs(indexFile, ivf, rowIds, indexName) : null,
            Fragments = fragments,
        };
    }

    private static LanceField Field(DataFileReader file, string name, string fileName)
        => file.Schema.FindField(name) ?? throw new LanceIndexException($"The index file '{fileName}' has no '{name}' column.");

    private static HnswGraph?[] ReadGraphs(DataFileReader indexFile, IVF ivf, long[][] rowIds, string name)
    {
        var partitions = rowIds.Length;
        var entries = JsonDocument.Parse(IndexFileBuffers.Metadata(indexFile.Schema, "lance:hnsw", name)).RootElement;
        if (entries.GetArrayLength() != partitions || ivf.Offsets.Count != partitions || ivf.Lengths.Count != partitions)
        {
            throw new LanceIndexException($"The index file '{name}' describes the graphs of {entries.GetArrayLength()} partitions, not {partitions}.");
        }

        // The neighbour distances (_distance) are not read: a search measures its own.
        var ids = (UInt32Array)indexFile.ReadColumn(Field(indexFile, "__vector_id", name));
        var neighborLists = (ListArray)indexFile.ReadColumn(Field(indexFile, "__neighbors", name));
        var neighborValues = ((UInt32Array)neighborLists.Values).Values;
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
            var levelCount = Math.Max(1, levelOffsets.Length - 1);
            var levels = new HnswLevel[levelCount];
            var baseRow = checked((int)ivf.Offsets[p]);
            var rows = (int)ivf.Lengths[p];
            if (baseRow + rows > ids.Length)
            {
                throw new LanceIndexException($"The index file '{name}': partition {p}'s graph rows run past its {ids.Length} rows.");
            }

            for (var level = 0; level < levelCount; level++)
            {
                var from = level < levelOffsets.Length ? levelOffsets[level] : 0;
                var to = Math.Min(level + 1 < levelOffsets.Length ? levelOffsets[level + 1] : from, rows);
                levels[level] = ReadLevel(ids, neighborLists, neighborValues, baseRow + from, Math.Max(0, to - from), count, p, name);
            }

            graphs[p] = new HnswGraph(
                count,
                levelCount,
                parameters.TryGetProperty("m", out var m) ? m.GetInt32() : HnswGraph.DefaultM,
                parameters.TryGetProperty("ef_construction", out var ef) ? ef.GetInt32() : HnswGraph.DefaultEfConstruction,
                levels);
        }

        return graphs;
    }

    /// <summary>One level of a partition's graph: the <paramref name="rows"/> graph rows from <paramref name="first"/>, one per node on the level.</summary>
    private static HnswLevel ReadLevel(UInt32Array ids, ListArray lists, ReadOnlySpan<uint> values, int first, int rows, int count, int partition, string name)
    {
        // Lance writes each level's nodes in ascending order; any other order is sorted here (a node listed twice keeps its last list).
        var order = new int[rows];
        var nodes = new int[rows];
        var ascending = true;
        for (var r = 0; r < rows; r++)
        {
            order[r] = first + r;
            var node = ids.Values[first + r];
            if (node >= (uint)count)
            {
                throw new LanceIndexException($"The index file '{name}': partition {partition}'s graph names node {node} of {count}.");
            }

            nodes[r] = (int)node;
            ascending &= r == 0 || nodes[r] > nodes[r - 1];
        }

        if (!ascending)
        {
            var last = new Dictionary<int, int>();
            for (var r = 0; r < rows; r++)
            {
                last[nodes[r]] = first + r;
            }

            nodes = last.Keys.Order().ToArray();
            order = nodes.Select(n => last[n]).ToArray();
        }

        var offsets = new int[nodes.Length + 1];
        var total = 0L;
        for (var i = 0; i < nodes.Length; i++)
        {
            total += lists.ValueOffsets[order[i] + 1] - lists.ValueOffsets[order[i]];
            offsets[i + 1] = checked((int)total);
        }

        var links = new int[total];
        for (var i = 0; i < nodes.Length; i++)
        {
            var source = values[lists.ValueOffsets[order[i]]..lists.ValueOffsets[order[i] + 1]];
            var target = links.AsSpan(offsets[i], source.Length);
            for (var j = 0; j < source.Length; j++)
            {
                if (source[j] >= (uint)count)
                {
                    throw new LanceIndexException($"The index file '{name}': partition {partition}'s graph links to node {source[j]} of {count}.");
                }

                target[j] = (int)source[j];
            }
        }

        return new HnswLevel(nodes.Length == count ? null : nodes, offsets, links, null);
    }
}
