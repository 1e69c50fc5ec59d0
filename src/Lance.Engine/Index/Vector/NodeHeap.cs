using System.Runtime.CompilerServices;

namespace Lance.Engine.Index.Vector;

/// <summary>The order of a <see cref="NodeHeap{TOrder}"/>: which of two distances comes out first.</summary>
internal interface IHeapOrder
{
    /// <summary>True when distance <paramref name="a"/> comes out before <paramref name="b"/>.</summary>
    static abstract bool Before(float a, float b);
}

/// <summary>Nearest first (a min-heap): the HNSW search's candidates.</summary>
internal readonly struct NearestFirst : IHeapOrder
{
    /// <inheritdoc/>
    public static bool Before(float a, float b) => a < b;
}

/// <summary>Farthest first (a max-heap): the HNSW search's results, whose root is the one to drop.</summary>
internal readonly struct FarthestFirst : IHeapOrder
{
    /// <inheritdoc/>
    public static bool Before(float a, float b) => a > b;
}

/// <summary>
/// A heap of graph nodes by distance for the HNSW search: the steps of <see cref="PriorityQueue{TElement, TPriority}"/>
/// (four children per node, the same sift up and down, the same <c>DequeueEnqueue</c>), so nodes of equal distance
/// come out in the same order as from a <c>PriorityQueue&lt;int, float&gt;</c> with the same comparison, but with the
/// comparison inlined instead of called through a comparer, and nothing to check between calls. Distances are never NaN.
/// </summary>
internal sealed class NodeHeap<TOrder>
    where TOrder : struct, IHeapOrder
{
    private (int Node, float Distance)[] _nodes = new (int, float)[64];
    private int _size;

    /// <summary>How many nodes the heap holds.</summary>
    public int Count => _size;

    /// <summary>Empties the heap (its room is kept).</summary>
    public void Clear() => _size = 0;

    /// <summary>The node that comes out next, without taking it out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPeek(out int node, out float distance)
    {
        if (_size == 0)
        {
            node = 0;
            distance = 0;
            return false;
        }

        (node, distance) = _nodes[0];
        return true;
    }

    /// <summary>Adds a node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Enqueue(int node, float distance)
    {
        if (_size == _nodes.Length)
        {
            Array.Resize(ref _nodes, _nodes.Length * 2);
        }

        var nodes = _nodes;
        var index = _size++;
        while (index > 0)
        {
            var parentIndex = (index - 1) >> 2;
            var parent = nodes[parentIndex];
            if (!TOrder.Before(distance, parent.Distance))
            {
                break;
            }

            nodes[index] = parent;
            index = parentIndex;
        }

        nodes[index] = (node, distance);
    }

    /// <summary>Takes out the node that comes first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryDequeue(out int node, out float distance)
    {
        if (_size == 0)
        {
            node = 0;
            distance = 0;
            return false;
        }

        (node, distance) = _nodes[0];
        var last = --_size;
        if (last > 0)
        {
            MoveDown(_nodes[last], 0);
        }

        return true;
    }

    /// <summary>Takes out the root and adds a node in one step (<c>PriorityQueue.DequeueEnqueue</c>); the heap must not be empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void DequeueEnqueue(int node, float distance)
    {
        if (TOrder.Before(_nodes[0].Distance, distance))
        {
            MoveDown((node, distance), 0);
        }
        else
        {
            _nodes[0] = (node, distance);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MoveDown((int Node, float Distance) item, int index)
    {
        var nodes = _nodes;
        var size = _size;
        int i;
        while ((i = (index << 2) + 1) < size)
        {
            var first = nodes[i];
            var firstIndex = i;
            var bound = Math.Min(i + 4, size);
            while (++i < bound)
            {
                var next = nodes[i];
                if (TOrder.Before(next.Distance, first.Distance))
                {
                    first = next;
                    firstIndex = i;
                }
            }

            if (!TOrder.Before(first.Distance, item.Distance))
            {
                break;
            }

            nodes[index] = first;
            index = firstIndex;
        }

        nodes[index] = item;
    }
}
