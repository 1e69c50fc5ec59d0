using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Nested;

/// <summary>
/// Rebuilds nested Arrow arrays from leaf columns: each leaf's levels give the validity of every
/// struct and list above it and the offsets of every list (the inverse of <see cref="LevelShredder"/>);
/// leaves that share a parent share its layers, so the parent is rebuilt from its first leaf.
/// </summary>
internal static class LevelAssembler
{
    /// <summary>The validity (and, for a list, offsets) of one layer above a leaf.</summary>
    private sealed class Layer
    {
        public List<bool> Valid { get; } = [];

        public List<long> Offsets { get; } = [0];

        public int NullCount { get; set; }
    }

    /// <summary>One decoded leaf: its path, levels and values.</summary>
    public sealed record Leaf(LeafPath Path, LevelCollector Levels, IArrowArray Values);

    /// <summary>Builds the column <paramref name="top"/> of <paramref name="rows"/> rows from its leaves (all of them, in pre-order).</summary>
    /// <exception cref="LanceFormatException">The levels are inconsistent with the values or the row count.</exception>
    public static IArrowArray Build(LanceField top, IReadOnlyList<Leaf> leaves, long rows)
    {
        var layers = leaves.Select(Assemble).ToList();
        int next = 0;
        var data = BuildNode(top, 0, leaves, layers, ref next);
        if (data.Length != rows)
        {
            throw new LanceFormatException($"Column '{top.Name}' holds {data.Length} rows but the file has {rows}.");
        }

        return ArrowArrayFactory.BuildArray(data);
    }

    private static ArrayData BuildNode(LanceField field, int depth, IReadOnlyList<Leaf> leaves, List<Layer[]> layers, ref int next)
    {
        if (field.IsLeaf)
        {
            return leaves[next++].Values.Data;
        }

        var layer = layers[next][depth];
        var type = LanceSchema.ToArrowType(field);
        var validity = Bitmap(layer);
        int length = layer.Valid.Count;
        if (type is StructType)
        {
            var children = new List<ArrayData>(field.Children.Count);
            foreach (var child in field.Children)
            {
                children.Add(BuildNode(child, depth + 1, leaves, layers, ref next));
            }

            return new ArrayData(type, length, layer.NullCount, 0, [validity], children);
        }

        var item = BuildNode(field.Children[0], depth + 1, leaves, layers, ref next);
        ArrowBuffer offsets;
        if (type is LargeListType)
        {
            offsets = new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(layer.Offsets.ToArray().AsSpan()).ToArray());
        }
        else
        {
            var narrow = layer.Offsets.Select(o => checked((int)o)).ToArray();
            offsets = new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
        }

        return new ArrayData(type, length, layer.NullCount, 0, [validity, offsets], [item]);
    }

    private static ArrowBuffer Bitmap(Layer layer)
    {
        if (layer.NullCount == 0)
        {
            return ArrowBuffer.Empty;
        }

        var bits = new byte[(layer.Valid.Count + 7) / 8];
        for (int i = 0; i < layer.Valid.Count; i++)
        {
            if (layer.Valid[i])
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return new ArrowBuffer(bits);
    }

    // Replays the entries: each starts a new element at the layer its repetition level names, and
    // descends (appending first children) until it reaches the leaf, a null or empty list, or the
    // layer where it is null.
    private static Layer[] Assemble(Leaf leaf)
    {
        var path = leaf.Path;
        int leafLayer = path.Fields.Count - 1;
        var layers = new Layer[leafLayer];
        for (int i = 0; i < leafLayer; i++)
        {
            layers[i] = new Layer();
        }

        var layout = LevelLayout.ForData(path.IsList, new bool[path.IsList.Length], new bool[path.IsList.Length]);
        var rep = leaf.Levels.Rep;
        var canonical = leaf.Levels.Canonical;
        long values = 0;
        for (int e = 0; e < canonical.Count; e++)
        {
            ushort code = canonical[e];
            int codeLayer = LevelLayout.LayerOf(code);
            bool empty = LevelLayout.IsEmpty(code);
            int start = layout.StartLayer(rep[e], path.Name);
            if (e == 0 && start != 0)
            {
                throw new LanceFormatException($"Column '{path.Name}': the first entry continues a list (repetition level {rep[e]}).");
            }

            for (int k = start; k <= leafLayer; k++)
            {
                if (k > 0 && path.IsList[k - 1])
                {
                    var parent = layers[k - 1].Offsets;
                    if (parent.Count < 2)
                    {
                        throw new LanceFormatException($"Column '{path.Name}': an entry continues a list that never started.");
                    }

                    parent[^1]++;
                }

                if (k == leafLayer)
                {
                    values++;
                    break;
                }

                var layer = layers[k];
                bool isNull = codeLayer >= 0 && codeLayer <= k && !(codeLayer == k && empty);
                layer.Valid.Add(!isNull);
                if (isNull)
                {
                    layer.NullCount++;
                }

                if (path.IsList[k])
                {
                    layer.Offsets.Add(layer.Offsets[^1]);
                    if (isNull || (empty && codeLayer == k))
                    {
                        break;
                    }
                }
            }
        }

        if (values != leaf.Values.Length)
        {
            throw new LanceFormatException($"Column '{path.Name}': its levels name {values} values but {leaf.Values.Length} were decoded.");
        }

        return layers;
    }
}
