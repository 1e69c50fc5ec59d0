namespace Lance.Engine.Index.Vector;

/// <summary>
/// Builds the <see cref="HnswGraph"/> of one partition the way Lance does: node 0 on every level
/// (the entry point of every search), every other node on levels 0 … ⌊−ln(U)/ln M⌋ (capped),
/// inserted in order: a greedy descent to its top level, then per level a beam search of width
/// ef_construction whose results are pruned with the neighbour-selection heuristic to M (2·M on
/// level 0); each chosen neighbour links back when the new node beats its current worst.
/// </summary>
internal static class HnswBuilder
{

    /// <summary>Builds the graph of <paramref name="count"/> nodes whose pairwise distance is <paramref name="between"/>.</summary>
    public static HnswGraph Build(int count, Func<int, int, float> between, int m, int efConstruction, int maxLevel, int seed, CancellationToken cancellationToken)
    {
        var ranked = new List<(float Distance, int Node)>?[maxLevel][];
        for (var level = 0; level < maxLevel; level++)
        {
            ranked[level] = new List<(float, int)>?[count];
        }

        var random = new Random(seed);
        var ml = 1.0 / Math.Log(m);
        for (var node = 0; node < count; node++)
        {
            var top = node == 0 ? maxLevel - 1 : Math.Min((int)(-Math.Log(1.0 - random.NextDouble()) * ml), maxLevel - 1);
            for (var level = 0; level <= top; level++)
            {
                ranked[level][node] = [];
            }
        }

        var views = new int[]?[maxLevel][];
        for (var level = 0; level < maxLevel; level++)
        {
            views[level] = new int[count][];
        }

        var visited = new bool[count];
        for (var node = 1; node < count; node++)
        {
            if ((node & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var current = node;
            float Distance(int other) => between(current, other);
            var top = 0;
            while (top + 1 < maxLevel && ranked[top + 1][node] is not null)
            {
                top++;
            }

            var ep = (Node: 0, Distance: Distance(0));
            for (var level = maxLevel - 1; level > top; level--)
            {
                ep = HnswGraph.Greedy(new BuildLinks(views[level]), ep, Distance);
            }

            for (var level = top; level >= 0; level--)
            {
                Array.Clear(visited);
                var found = HnswGraph.Beam(new BuildLinks(views[level]), ep, efConstruction, Distance, null, visited);
                var limit = level == 0 ? 2 * m : m;
                var chosen = Select(found, limit, between);
                ranked[level][node] = chosen;
                views[level][node] = chosen.Select(c => c.Node).ToArray();
                foreach (var (d, neighbor) in chosen)
                {
                    var list = ranked[level][neighbor]!;
                    if (list.Count >= limit && d >= list[^1].Distance)
                    {
                        continue;
                    }

                    var at = list.FindIndex(x => x.Distance > d);
                    list.Insert(at < 0 ? list.Count : at, (d, node));
                    if (list.Count > limit)
                    {
                        list = Select(list, limit, between);
                        ranked[level][neighbor] = list;
                    }

                    views[level][neighbor] = list.Select(c => c.Node).ToArray();
                }

                if (found.Count > 0)
                {
                    ep = (found[0].Node, found[0].Distance);
                }
            }
        }

        var levels = new HnswLevel[maxLevel];
        for (var level = 0; level < maxLevel; level++)
        {
            var lists = ranked[level];
            var nodes = new List<int>();
            var offsets = new List<int> { 0 };
            var links = new List<int>();
            var distances = new List<float>();
            for (var node = 0; node < count; node++)
            {
                if (lists[node] is { } list)
                {
                    nodes.Add(node);
                    foreach (var (d, neighbor) in list)
                    {
                        links.Add(neighbor);
                        distances.Add(d);
                    }

                    offsets.Add(links.Count);
                }
            }

            levels[level] = new HnswLevel(nodes.Count == count ? null : nodes.ToArray(), offsets.ToArray(), links.ToArray(), distances.ToArray());
        }

        return new HnswGraph(count, maxLevel, m, efConstruction, levels);
    }

    /// <summary>The neighbour-selection heuristic: nearest first, a candidate kept when it is nearer to the node than to every one kept.</summary>
    private static List<(float Distance, int Node)> Select(List<(float Distance, int Node)> candidates, int limit, Func<int, int, float> between)
    {
        if (candidates.Count <= limit)
        {
            return candidates;
        }

        var sorted = candidates.OrderBy(c => c.Distance).ToList();
        var result = new List<(float, int)>(limit);
        foreach (var (d, node) in sorted)
        {
            if (result.Count >= limit)
            {
                break;
            }

            var keep = true;
            foreach (var (_, kept) in result)
            {
                if (!(d < between(node, kept)))
                {
                    keep = false;
                    break;
                }
            }

            if (keep)
            {
                result.Add((d, node));
            }
        }

        return result;
    }

    /// <summary>The lists of one level while it is built.</summary>
    private readonly struct BuildLinks(int[]?[] view) : IHnswLinks
    {
        public ReadOnlySpan<int> Neighbors(int node) => view[node];
    }
}
