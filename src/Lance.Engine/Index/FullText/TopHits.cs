namespace Lance.Engine.Index.FullText;

/// <summary>The best k (score, row address) pairs seen: higher scores first, equal scores by lower address.</summary>
internal sealed class TopHits(int k)
{
    // A min-heap on "worse": the root is the worst kept hit.
    private readonly PriorityQueue<(float Score, long Address), (float Score, long Address)> _heap = new(Comparer<(float Score, long Address)>.Create(Worse));

    /// <summary>Whether a hit of <paramref name="score"/> could enter (a cheap test before the filter's).</summary>
    public bool Accepts(float score) => k > 0 && (_heap.Count < k || score >= _heap.Peek().Score);

    public void Offer(float score, long address)
    {
        if (k == 0)
        {
            return;
        }

        var hit = (score, address);
        if (_heap.Count < k)
        {
            _heap.Enqueue(hit, hit);
        }
        else if (Worse(_heap.Peek(), hit) < 0)
        {
            _heap.EnqueueDequeue(hit, hit);
        }
    }

    public List<FullTextHit> Sorted()
    {
        var hits = new List<FullTextHit>(_heap.Count);
        while (_heap.TryDequeue(out var hit, out _))
        {
            hits.Add(new FullTextHit(hit.Address, hit.Score));
        }

        hits.Reverse();
        return hits;
    }

    // Negative when a ranks below b (lower score, or the same score and a higher address).
    private static int Worse((float Score, long Address) a, (float Score, long Address) b)
    {
        var byScore = a.Score.CompareTo(b.Score);
        return byScore != 0 ? byScore : b.Address.CompareTo(a.Address);
    }
}
