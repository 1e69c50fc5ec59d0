using System.Buffers;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// The best-k evaluation of the common queries (a match that is not fuzzy, a phrase): each row is scored
/// exactly as the full evaluation scores it, but only rows that can still enter the top k are kept.
/// </summary>
internal static class TopKSearch
{
    /// <summary>Offers <paramref name="top"/> every row a (not fuzzy) match query matches, scored as <see cref="SearchContext.Evaluate"/> scores it.</summary>
    public static void Match(ColumnSearch column, MatchQuery query, TopHits top)
    {
        var tokens = column.Index.Analyzer.Analyze(query.Text).Select(t => t.Token).Distinct(StringComparer.Ordinal).ToList();
        if (tokens.Count == 0)
        {
            return;
        }

        var index = column.Index;
        var all = query.Operator == FullTextOperator.And;
        var idf = Bm25.IndexIdf(index, tokens);
        var average = index.AverageLength;
        foreach (var partition in index.Partitions)
        {
            var found = tokens.Select(t => (Token: t, Found: partition.TryGetToken(t, out var id), Id: id)).Where(x => x.Found).ToList();
            if (found.Count == 0)
            {
                continue;
            }

            var numTokens = partition.NumTokens;
            var rowIds = partition.RowIds;
            if (found.Count == 1)
            {
                var (docs, freqs) = partition.Posting(found[0].Id);
                var w = idf[found[0].Token];
                for (var i = 0; i < docs.Length; i++)
                {
                    var doc = docs[i];
                    var score = w * Bm25.DocWeight(freqs[i], numTokens[doc], average) * query.Boost;
                    if (top.Accepts(score) && column.IndexedRow(rowIds[doc]) is { } address)
                    {
                        top.Offer(score, address);
                    }
                }

                continue;
            }

            // Several terms: scores summed term by term (the order Evaluate sums them in) in a dense array.
            var sums = SumPool.Rent(partition.DocumentCount);
            var counts = CountPool.Rent(partition.DocumentCount);
            var touched = new List<uint>();
            try
            {
                foreach (var (token, _, id) in found)
                {
                    var (docs, freqs) = partition.Posting(id);
                    var w = idf[token];
                    for (var i = 0; i < docs.Length; i++)
                    {
                        var doc = docs[i];
                        var weight = w * Bm25.DocWeight(freqs[i], numTokens[doc], average);
                        if (counts[doc] == 0)
                        {
                            touched.Add(doc);
                            sums[doc] = weight;
                        }
                        else
                        {
                            sums[doc] += weight;
                        }

                        counts[doc]++;
                    }
                }

                foreach (var doc in touched)
                {
                    var score = sums[doc] * query.Boost;
                    if ((!all || counts[doc] == found.Count) && top.Accepts(score) && column.IndexedRow(rowIds[doc]) is { } address)
                    {
                        top.Offer(score, address);
                    }
                }
            }
            finally
            {
                // Give the counts back all zero: every array of this pool is zero when rented.
                foreach (var doc in touched)
                {
                    counts[doc] = 0;
                }

                CountPool.Return(counts);
                SumPool.Return(sums);
            }
        }

        var flat = column.Flat;
        foreach (var doc in flat.Documents)
        {
            var (score, terms) = Bm25.Unindexed(index, flat, doc, tokens);

            if (terms > 0)
            {
                top.Offer(score * query.Boost, doc.Address);
            }
        }
    }

    /// <summary>Offers <paramref name="top"/> every row a phrase query matches, scored as <see cref="SearchContext.Evaluate"/> scores it.</summary>
    public static void Phrase(ColumnSearch column, PhraseQuery query, TopHits top)
    {
        var index = column.Index;
        var (tokens, places, idf) = PhraseTerms.Analyze(column, query);
        if (tokens.Count == 0)
        {
            return;
        }

        foreach (var partition in index.Partitions)
        {
            if (PhraseTerms.TokenIds(partition, tokens) is not { } ids)
            {
                continue;
            }

            // Walk the shortest posting list; find each of its documents in the others by a forward search.
            var postings = ids.Select(partition.Posting).ToList();
            var shortest = Enumerable.Range(0, postings.Count).MinBy(i => postings[i].Docs.Length);
            var cursors = new int[postings.Count];
            var at = new int[postings.Count];
            var positions = new List<uint[]>(postings.Count);
            foreach (var doc in postings[shortest].Docs)
            {
                var present = true;
                for (var i = 0; i < postings.Count && present; i++)
                {
                    var docs = postings[i].Docs;
                    var c = Seek(docs, cursors[i], doc);
                    cursors[i] = c;
                    present = c < docs.Length && docs[c] == doc;
                    at[i] = c;
                }

                if (!present || column.IndexedRow(partition.RowIds[doc]) is not { } address)
                {
                    continue;
                }

                positions.Clear();
                for (var i = 0; i < ids.Count; i++)
                {
                    positions.Add(partition.Positions(ids[i], at[i]));
                }

                if (!PhraseMatcher.Matches(positions, places, query.Slop))
                {
                    continue;
                }

                var score = 0f;
                for (var i = 0; i < ids.Count; i++)
                {
                    score += idf[tokens[i]] * Bm25.DocWeight(postings[i].Frequencies[at[i]], partition.NumTokens[doc], index.AverageLength);
                }

                top.Offer(score, address);
            }
        }

        var flat = column.Flat;
        foreach (var doc in flat.Documents)
        {
            if (tokens.Any(t => doc.Count(t) == 0) || !PhraseMatcher.Matches(tokens.Select(doc.Positions).ToList(), places, query.Slop))
            {
                continue;
            }

            // Every token is in the document (checked above), so each term counts as in a match query.
            var score = Bm25.Unindexed(index, flat, doc, tokens).Score;

            top.Offer(score, doc.Address);
        }
    }

    // Score and term-count arrays of one document each, rented per partition. The count pool is this
    // class's own, and every array goes back to it all zero, so a rented one needs no clearing.
    private static readonly ArrayPool<float> SumPool = ArrayPool<float>.Create();
    private static readonly ArrayPool<int> CountPool = ArrayPool<int>.Create();

    /// <summary>The first index at or after <paramref name="from"/> whose document is at least <paramref name="doc"/> (galloping, then binary search).</summary>
    private static int Seek(uint[] docs, int from, uint doc)
    {
        if (from >= docs.Length || docs[from] >= doc)
        {
            return from;
        }

        var step = 1;
        var low = from;
        var high = from + 1;
        while (high < docs.Length && docs[high] < doc)
        {
            low = high;
            step <<= 1;
            high = from + step;
        }

        high = Math.Min(high, docs.Length);
        var i = Array.BinarySearch(docs, low + 1, high - low - 1, doc);
        return i >= 0 ? i : ~i;
    }
}
