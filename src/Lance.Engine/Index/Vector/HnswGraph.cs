using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Lance.Engine.Query;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// The HNSW graph of one IVF partition, as Lance keeps it: nodes are the partition's rows
/// (0 … n−1), node 0 sits on every level and is where every search starts, the others on the
/// levels 0 … l drawn at build time. Level 0 links each node to at most <c>2·M</c> neighbours,
/// higher levels to at most <c>M</c>; each list is ranked nearest first. Each level is stored flat
/// (<see cref="HnswLevel"/>): one array of neighbours with offsets, so a graph of a million nodes is
/// a few arrays rather than millions.
/// A search descends greedily from the top level to level 0, then runs a beam search of width ef.
/// </summary>
internal sealed class HnswGraph
{
    /// <summary>Lance's default number of levels.</summary>
    public const int DefaultMaxLevel = 7;

    /// <summary>Lance's default M (neighbours per node above level 0; twice that on level 0).</summary>
    public const int DefaultM = 20;

    /// <summary>Lance's default beam width while building.</summary>
    public const int DefaultEfConstruction = 300;

    /// <summary>Creates a graph from its levels.</summary>
    public HnswGraph(int count, int maxLevel, int m, int efConstruction, HnswLevel[] levels)
    {
        Count = count;
        MaxLevel = maxLevel;
        M = m;
        EfConstruction = efConstruction;
        Levels = levels;
    }

    /// <summary>The number of levels (Lance's <c>max_level</c>).</summary>
    public int MaxLevel { get; }

    /// <summary>The M the graph was built with.</summary>
    public int M { get; }

    /// <summary>The beam width the graph was built with.</summary>
    public int EfConstruction { get; }

    /// <summary>The levels, 0 (every node) first.</summary>
    public HnswLevel[] Levels { get; }

    /// <summary>The nodes (rows of the partition).</summary>
    public int Count { get; }

    /// <summary>The same graph without the neighbour distances a search never reads (kept by a graph just built, for its file).</summary>
    public HnswGraph ForSearch()
        => new(Count, MaxLevel, M, EfConstruction, Levels.Select(l => l.Distances is null ? l : new HnswLevel(l.Nodes, l.Offsets, l.Links, null)).ToArray());

    /// <summary>
    /// Offers to <paramref name="offer"/> the (up to <paramref name="ef"/>) nearest nodes a search finds,
    /// as row numbers of the partition, with their distances; only nodes <paramref name="allowed"/>
    /// accepts (all when null) are returned. When it accepts under a tenth of the nodes they are all
    /// measured instead, as Lance does.
    /// </summary>
    public void Search(Func<int, float> distance, int ef, Func<int, bool>? allowed, Action<float, int> offer)
    {
        var n = Count;
        if (n == 0)
        {
            return;
        }

        if (allowed is not null)
        {
            var passing = 0;
            for (var i = 0; i < n; i++)
            {
                passing += allowed(i) ? 1 : 0;
            }

            if (passing < n / 10)
            {
                for (var i = 0; i < n; i++)
                {
                    if (allowed(i))
                    {
                        offer(distance(i), i);
                    }
                }

                return;
            }
        }

        var ep = (Node: 0, Distance: distance(0));
        for (var level = MaxLevel - 1; level >= 0; level--)
        {
            ep = Greedy(new StoredLinks(Levels[Math.Min(level, Levels.Length - 1)]), ep, distance);
        }

        foreach (var (d, node) in Beam(new StoredLinks(Levels[0]), ep, ef, distance, allowed, new bool[n]))
        {
            offer(d, node);
        }
    }

    /// <summary>Moves to the nearest neighbour on one level until none is nearer.</summary>
    public static (int Node, float Distance) Greedy<TLinks>(TLinks level, (int Node, float Distance) start, Func<int, float> distance)
        where TLinks : IHnswLinks
    {
        var (current, best) = start;
        while (true)
        {
            var next = -1;
            foreach (var neighbor in level.Neighbors(current))
            {
                var d = distance(neighbor);
                if (d < best)
                {
                    best = d;
                    next = neighbor;
                }
            }

            if (next < 0)
            {
                return (current, best);
            }

            current = next;
        }
    }

    /// <summary>The beam search of one level: the nearest <paramref name="ef"/> nodes found, nearest first.</summary>
    public static List<(float Distance, int Node)> Beam<TLinks>(
        TLinks level, (int Node, float Distance) ep, int ef, Func<int, float> distance, Func<int, bool>? allowed, bool[] visited)
        where TLinks : IHnswLinks
    {
        var candidates = new PriorityQueue<int, float>();
        var results = new PriorityQueue<int, float>(ef + 1, Comparer<float>.Create((a, b) => b.CompareTo(a)));
        visited[ep.Node] = true;
        candidates.Enqueue(ep.Node, ep.Distance);
        if (allowed is null || allowed(ep.Node))
        {
            results.Enqueue(ep.Node, ep.Distance);
        }

        while (candidates.TryDequeue(out var current, out var currentDistance))
        {
            var furthest = results.TryPeek(out _, out var worst) ? worst : float.PositiveInfinity;
            if (currentDistance > furthest && results.Count == ef)
            {
                break;
            }

            foreach (var neighbor in level.Neighbors(current))
            {
                if (visited[neighbor])
                {
                    continue;
                }

                visited[neighbor] = true;
                var d = distance(neighbor);
                if (d <= furthest || results.Count < ef)
                {
                    if (allowed is null || allowed(neighbor))
                    {
                        if (results.Count < ef)
                        {
                            results.Enqueue(neighbor, d);
                        }
                        else if (results.TryPeek(out _, out var top) && d < top)
                        {
                            results.DequeueEnqueue(neighbor, d);
                        }
                    }

                    candidates.Enqueue(neighbor, d);
                }
            }
        }

        var list = new List<(float, int)>(results.Count);
        while (results.TryDequeue(out var node, out var d))
        {
            list.Add((d, node));
        }

        list.Reverse();
        return list;
    }

    /// <summary>Keeps TopK's threshold semantics for a partition's nodes: offers each found node as a row.</summary>
    public void Search(Func<int, float> distance, int ef, Func<int, bool>? allowed, long[] rowIds, TopK topK)
        => Search(distance, ef, allowed, (d, node) => topK.Offer(d, rowIds[node]));

    /// <summary>
    /// The search of <see cref="Search(Func{int, float}, int, Func{int, bool}?, Action{float, int})"/> with the
    /// distance as a struct (inlined, and able to prefetch a node's codes before they are measured), the
    /// allowed nodes as flags (null: all) and the queues and visited marks of the calling thread reused:
    /// the same steps in the same order, so the same nodes are found; each is offered to
    /// <paramref name="topK"/> as its row id.
    /// </summary>
    public void Search<TDistance>(TDistance distance, int ef, bool[]? allowed, long[] rowIds, TopK topK)
        where TDistance : struct, INodeDistance
        => Search(distance, ef, allowed, rowIds, topK, new HnswSearchScratch());

    /// <summary>
    /// <see cref="Search{TDistance}(TDistance, int, bool[], long[], TopK)"/> with the queues and visited marks of
    /// <paramref name="scratch"/>, which one caller (one thread) reuses for its searches so a search allocates nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Search<TDistance>(TDistance distance, int ef, bool[]? allowed, long[] rowIds, TopK topK, HnswSearchScratch scratch)
        where TDistance : struct, INodeDistance
    {
        var n = Count;
        if (n == 0)
        {
            return;
        }

        if (allowed is not null)
        {
            var passing = 0;
            for (var i = 0; i < n; i++)
            {
                passing += allowed[i] ? 1 : 0;
            }

            if (passing < n / 10)
            {
                for (var i = 0; i < n; i++)
                {
                    if (allowed[i])
                    {
                        topK.Offer(distance.Distance(i), rowIds[i]);
                    }
                }

                return;
            }
        }

        var ep = (Node: 0, Distance: distance.Distance(0));
        for (var level = MaxLevel - 1; level >= 0; level--)
        {
            ep = Greedy(Levels[Math.Min(level, Levels.Length - 1)], ep, ref distance);
        }

        var results = scratch.Results;
        BeamLevel0(Levels[0], ep, ef, ref distance, allowed, scratch);
        while (results.TryDequeue(out var node, out var d))
        {
            topK.Offer(d, rowIds[node]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Node, float Distance) Greedy<TDistance>(HnswLevel level, (int Node, float Distance) start, ref TDistance distance)
        where TDistance : struct, INodeDistance
    {
        var (current, best) = start;
        while (true)
        {
            var next = -1;
            var neighbors = level.Neighbors(current);
            foreach (var neighbor in neighbors)
            {
                distance.Prefetch(neighbor);
            }

            foreach (var neighbor in neighbors)
            {
                var d = distance.Distance(neighbor);
                if (d < best)
                {
                    best = d;
                    next = neighbor;
                }
            }

            if (next < 0)
            {
                return (current, best);
            }

            current = next;
        }
    }

    // The beam of Beam() on level 0 (every node, in node order), leaving the nearest ef in scratch.Results.
    // Each expanded node's unvisited neighbours are marked and prefetched first, then measured in the same
    // order as Beam() measures them (its bound is read once per expanded node, so the results are the same).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BeamLevel0<TDistance>(HnswLevel level, (int Node, float Distance) ep, int ef, ref TDistance distance, bool[]? allowed, HnswSearchScratch scratch)
        where TDistance : struct, INodeDistance
    {
        var candidates = scratch.Candidates;
        var results = scratch.Results;
        candidates.Clear();
        results.Clear();
        var offsets = level.Offsets;
        var links = level.Links;
        var visited = scratch.Visit(level.Count);
        var mark = scratch.Mark;
        visited[ep.Node] = mark;
        candidates.Enqueue(ep.Node, ep.Distance);
        if (allowed is null || allowed[ep.Node])
        {
            results.Enqueue(ep.Node, ep.Distance);
        }

        var fresh = scratch.Fresh;
        while (candidates.TryDequeue(out var current, out var currentDistance))
        {
            var furthest = results.TryPeek(out _, out var worst) ? worst : float.PositiveInfinity;
            if (currentDistance > furthest && results.Count == ef)
            {
                break;
            }

            var start = offsets[current];
            var count = offsets[current + 1] - start;
            if (fresh.Length < count)
            {
                fresh = scratch.Fresh = new int[count];
            }

            var found = 0;
            foreach (var neighbor in links.AsSpan(start, count))
            {
                if (visited[neighbor] == mark)
                {
                    continue;
                }

                visited[neighbor] = mark;
                fresh[found++] = neighbor;
                distance.Prefetch(neighbor);
            }

            for (var j = 0; j < found; j++)
            {
                var neighbor = fresh[j];
                var d = distance.Distance(neighbor);
                if (d <= furthest || results.Count < ef)
                {
                    if (allowed is null || allowed[neighbor])
                    {
                        if (results.Count < ef)
                        {
                            results.Enqueue(neighbor, d);
                        }
                        else if (results.TryPeek(out _, out var top) && d < top)
                        {
                            results.DequeueEnqueue(neighbor, d);
                        }
                    }

                    candidates.Enqueue(neighbor, d);
                }
            }

            // The next node to expand is known now: start loading its neighbour list.
            if (candidates.TryPeek(out var next, out _))
            {
                PrefetchLinks(links, offsets[next]);
            }
        }
    }

    private static unsafe void PrefetchLinks(int[] links, int start)
    {
        if (Sse.IsSupported && (uint)start < (uint)links.Length)
        {
            var at = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(links), start));
            Sse.Prefetch0(at);
            Sse.Prefetch0(at + 64);
        }
    }

}

/// <summary>The queues and visited marks of <see cref="HnswGraph"/> searches, reused by one caller (one thread) at a time so a search allocates nothing.</summary>
internal sealed class HnswSearchScratch
{
    private int[] _visited = [];

    public NodeHeap<NearestFirst> Candidates { get; } = new();

    public NodeHeap<FarthestFirst> Results { get; } = new();

    public int[] Fresh { get; set; } = new int[64];

    /// <summary>The mark of the search under way: a node is visited when its entry equals it.</summary>
    public int Mark { get; private set; }

    /// <summary>Visited marks for <paramref name="count"/> nodes, none of them marked with the new <see cref="Mark"/>.</summary>
    public int[] Visit(int count)
    {
        if (_visited.Length < count)
        {
            _visited = new int[Math.Max(count, _visited.Length * 2)];
            Mark = 0;
        }

        if (++Mark == int.MaxValue)
        {
            Array.Clear(_visited);
            Mark = 1;
        }

        return _visited;
    }
}

/// <summary>The distance from a search's query to a node of the graph being searched.</summary>
internal interface INodeDistance
{
    /// <summary>The distance to <paramref name="node"/>.</summary>
    float Distance(int node);

    /// <summary>Asks the CPU to start loading what <see cref="Distance"/> will read for <paramref name="node"/>.</summary>
    void Prefetch(int node);
}

/// <summary>A distance given as a delegate (nothing to prefetch).</summary>
internal readonly struct DelegateDistance(Func<int, float> distance) : INodeDistance
{
    /// <inheritdoc/>
    public float Distance(int node) => distance(node);

    /// <inheritdoc/>
    public void Prefetch(int node)
    {
    }
}
