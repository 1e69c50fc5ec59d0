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
}
