namespace Lance.Engine.Index.Vector;

/// <summary>
/// One level of an <see cref="HnswGraph"/>, stored flat: the neighbour lists of the level's nodes
/// back to back in one array (<see cref="Links"/>), each node's list found through
/// <see cref="Offsets"/>. Level 0 holds every node, in node order; a higher level lists the nodes on
/// it in ascending order (<see cref="Nodes"/>). A graph read for searching keeps no distances (a
/// search measures its own); a graph just built keeps them for the index file.
/// </summary>
internal sealed class HnswLevel
{
    /// <summary>Creates a level.</summary>
    /// <param name="nodes">The nodes on the level in ascending order; null when every node of the graph is, in order.</param>
    /// <param name="offsets">Where each listed node's neighbours start in <paramref name="links"/>, plus the end (one more than the nodes).</param>
    /// <param name="links">Every listed node's neighbours, nearest first, back to back.</param>
    /// <param name="distances">The distances matching <paramref name="links"/>, or null when not kept.</param>
    public HnswLevel(int[]? nodes, int[] offsets, int[] links, float[]? distances)
    {
        Nodes = nodes;
        Offsets = offsets;
        Links = links;
        Distances = distances;
    }

    /// <summary>The nodes on the level in ascending order; null when the level holds every node of the graph (level 0).</summary>
    public int[]? Nodes { get; }

    /// <summary>Where each listed node's neighbours start in <see cref="Links"/>, plus the end.</summary>
    public int[] Offsets { get; }

    /// <summary>Every listed node's neighbours, nearest first, back to back.</summary>
    public int[] Links { get; }

    /// <summary>The distances matching <see cref="Links"/>; null when the graph was read for searching.</summary>
    public float[]? Distances { get; }

    /// <summary>How many nodes are on the level.</summary>
    public int Count => Offsets.Length - 1;

    /// <summary>The position of <paramref name="node"/> among the level's nodes, or a negative number when it is not on the level.</summary>
    public int Slot(int node)
        => Nodes is null ? ((uint)node < (uint)Count ? node : -1) : Array.BinarySearch(Nodes, node);

    /// <summary>The node at position <paramref name="slot"/>.</summary>
    public int NodeAt(int slot) => Nodes is null ? slot : Nodes[slot];

    /// <summary>Whether <paramref name="node"/> is on the level.</summary>
    public bool Contains(int node) => Slot(node) >= 0;

    /// <summary>The neighbours of <paramref name="node"/>, nearest first; empty when it is not on the level.</summary>
    public ReadOnlySpan<int> Neighbors(int node)
    {
        var slot = Slot(node);
        return slot < 0 ? default : Links.AsSpan(Offsets[slot], Offsets[slot + 1] - Offsets[slot]);
    }

    /// <summary>The neighbours of the node at position <paramref name="slot"/>.</summary>
    public ReadOnlySpan<int> NeighborsAt(int slot) => Links.AsSpan(Offsets[slot], Offsets[slot + 1] - Offsets[slot]);

    /// <summary>The distances to the neighbours of the node at position <paramref name="slot"/> (empty when not kept).</summary>
    public ReadOnlySpan<float> DistancesAt(int slot)
        => Distances is null ? default : Distances.AsSpan(Offsets[slot], Offsets[slot + 1] - Offsets[slot]);
}
