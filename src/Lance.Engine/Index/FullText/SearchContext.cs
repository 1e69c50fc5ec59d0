using Lance.Engine.Dataset;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// One full-text search in progress: the columns it reads (each with its index, the rows the index
/// covers that the filter lets through, and the rows outside the index tokenized on the fly), and
/// the evaluation of each query kind into BM25 scores by row address.
/// </summary>
internal sealed class SearchContext(Snapshot snapshot, RowFilter? filter, CancellationToken cancellationToken)
{
    private const float K1 = 1.2f;
    private const float B = 0.75f;

    private readonly Dictionary<string, ColumnSearch> _columns = new(StringComparer.Ordinal);

    /// <summary>The scores of the rows <paramref name="query"/> matches, by row address.</summary>
    public Dictionary<long, float> Evaluate(FullTextQuery query)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return query switch
        {
            MatchQuery m => Match(Column(m.Column), m),
            PhraseQuery p => Phrase(Column(p.Column), p),
            MultiMatchQuery mm => MultiMatch(mm),
            BooleanQuery b => Boolean(b),
            BoostQuery bq => Boost(bq),
            _ => throw new ArgumentException($"Unsupported full-text query {query.GetType().Name}.", nameof(query)),
        };
    }

    /// <summary>
    /// The best <paramref name="k"/> rows of a match (not fuzzy) or phrase query, best first (ties by row address), scored
    /// exactly as <see cref="Evaluate"/> scores them but without collecting every match; null for other queries.
    /// </summary>
    public List<FullTextHit>? TryTop(FullTextQuery query, int k)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var top = new TopHits(k);
        switch (query)
        {
            case MatchQuery { Fuzziness: 0 } m:
                MatchTop(Column(m.Column), m, top);
                break;
            case PhraseQuery p:
                PhraseTop(Column(p.Column), p, top);
                break;
            default:
                return null;
        }

        return top.Sorted();
    }

    private static void MatchTop(ColumnSearch column, MatchQuery query, TopHits top)
    {
        var tokens = column.Index.Analyzer.Analyze(query.Text).Select(t => t.Token).Distinct(StringComparer.Ordinal).ToList();
        if (tokens.Count == 0)
        {
            return;
        }

        var index = column.Index;
        var all = query.Operator == FullTextOperator.And;
        var idf = IndexIdf(index, tokens);
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
                    var score = w * DocWeight(freqs[i], numTokens[doc], average) * query.Boost;
                    if (top.Accepts(score) && column.IndexedRow(rowIds[doc]) is { } address)
                    {
                        top.Offer(score, address);
                    }
                }

                continue;
            }

            // Several terms: scores summed term by term (the order Evaluate sums them in) in a dense array.
            var (sums, counts) = Accumulators(partition.DocumentCount);
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
                        var weight = w * DocWeight(freqs[i], numTokens[doc], average);
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
                // Leave the counts all zero for the next search on this thread.
                foreach (var doc in touched)
                {
                    counts[doc] = 0;
                }
            }
        }

        var flat = column.Flat;
        foreach (var doc in flat.Documents)
        {
            var score = 0f;
            var terms = 0;
            foreach (var token in tokens)
            {
                var freq = doc.Count(token);
                if (freq == 0)
                {
                    continue;
                }

                terms++;
                var n = index.Partitions.Sum(p => p.TryGetToken(token, out var id) ? p.PostingLength(id) : 0) + flat.Occurrences(token);
                score += Idf(n, flat.DocumentCount) * DocWeight(freq, doc.Length, flat.AverageLength);
            }

            if (terms > 0)
            {
                top.Offer(score * query.Boost, doc.Address);
            }
        }
    }

    /// <exception cref="LanceIndexException">The column's index keeps no positions.</exception>
    private static void RequirePositions(ColumnSearch column)
    {
        // LanceDB refuses a phrase query on an index without positions before looking at its terms, even when no row holds them.
        var index = column.Index;
        if (!index.Analyzer.Options.WithPosition || index.Partitions.Any(p => !p.HasPositions))
        {
            throw new LanceIndexException(
                $"The full-text index '{column.Metadata.Name}' was built without positions (with_position = false); phrase queries need them: rebuild it with positions.");
        }
    }

    // A phrase's tokens and their positions as the index's analyzer makes them, and each token's idf over the whole index.
    private static (List<string> Tokens, List<int> Places, Dictionary<string, float> Idf) AnalyzePhrase(ColumnSearch column, PhraseQuery query)
    {
        var index = column.Index;
        RequirePositions(column);
        var analyzed = index.Analyzer.Analyze(query.Text);
        var tokens = analyzed.Select(t => t.Token).ToList();
        var idf = IndexIdf(index, tokens.Distinct(StringComparer.Ordinal));
        return (tokens, analyzed.Select(t => t.Position).ToList(), idf);
    }

    // The partition's id of every phrase token, in order; null when one of them is not in the partition.
    private static List<uint>? PhraseTokenIds(InvertedPartition partition, List<string> tokens)
    {
        var ids = new List<uint>(tokens.Count);
        foreach (var token in tokens)
        {
            if (!partition.TryGetToken(token, out var id))
            {
                return null;
            }

            ids.Add(id);
        }

        return ids;
    }

    private static void PhraseTop(ColumnSearch column, PhraseQuery query, TopHits top)
    {
        var index = column.Index;
        var (tokens, places, idf) = AnalyzePhrase(column, query);
        if (tokens.Count == 0)
        {
            return;
        }

        foreach (var partition in index.Partitions)
        {
            if (PhraseTokenIds(partition, tokens) is not { } ids)
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
                    score += idf[tokens[i]] * DocWeight(postings[i].Frequencies[at[i]], partition.NumTokens[doc], index.AverageLength);
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

            var score = 0f;
            foreach (var token in tokens)
            {
                var n = index.Partitions.Sum(p => p.TryGetToken(token, out var id) ? p.PostingLength(id) : 0) + flat.Occurrences(token);
                score += Idf(n, flat.DocumentCount) * DocWeight(doc.Count(token), doc.Length, flat.AverageLength);
            }

            top.Offer(score, doc.Address);
        }
    }

    [ThreadStatic]
    private static float[]? t_sums;

    [ThreadStatic]
    private static int[]? t_counts;

    /// <summary>This thread's score and term-count arrays for <paramref name="documents"/> documents; the counts are all zero.</summary>
    private static (float[] Sums, int[] Counts) Accumulators(int documents)
    {
        if (t_counts is null || t_counts.Length < documents)
        {
            t_sums = new float[documents];
            t_counts = new int[documents];
        }

        return (t_sums!, t_counts);
    }

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

    /// <summary>The best k (score, row address) pairs seen: higher scores first, equal scores by lower address.</summary>
    private sealed class TopHits(int k)
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

    private ColumnSearch Column(string? name)
    {
        if (name is null)
        {
            var indexed = FullTextSearcher.IndexedColumns(snapshot.Manifest);
            name = indexed.Count switch
            {
                1 => indexed[0],
                0 => throw new LanceIndexException($"Dataset '{snapshot.Location}' has no full-text index: create one with CreateFtsIndexAsync first."),
                _ => throw new LanceIndexException($"Dataset '{snapshot.Location}' has full-text indexes on {string.Join(", ", indexed.Select(c => $"'{c}'"))}: name the column to search."),
            };
        }

        if (!_columns.TryGetValue(name, out var column))
        {
            column = new ColumnSearch(snapshot, name, filter, cancellationToken);
            _columns[name] = column;
        }

        return column;
    }

    private static float Idf(double n, double documents) => (float)Math.Log(((documents - n + 0.5) / (n + 0.5)) + 1.0);

    // Each (distinct) token's idf over every partition of the index.
    private static Dictionary<string, float> IndexIdf(FullTextIndex index, IEnumerable<string> tokens) => tokens.ToDictionary(
        t => t, t => Idf(index.Partitions.Sum(p => p.TryGetToken(t, out var id) ? p.PostingLength(id) : 0), index.DocumentCount), StringComparer.Ordinal);

    private static float DocWeight(float freq, float length, float average) => (K1 + 1f) * freq / (freq + (K1 * (1f - B + (B * length / average))));

    private static Dictionary<long, float> Match(ColumnSearch column, MatchQuery query)
    {
        // A fuzzy query is not analyzed: LanceDB splits it with the simple tokenizer alone, then expands each token.
        var tokens = query.Fuzziness > 0
            ? FuzzyExpansion.Expand(Vocabulary(column), query)
            : column.Index.Analyzer.Analyze(query.Text).Select(t => t.Token).Distinct(StringComparer.Ordinal).ToList();
        var scores = new Dictionary<long, float>();
        if (tokens.Count == 0)
        {
            return scores;
        }

        var index = column.Index;
        var all = query.Operator == FullTextOperator.And;
        var idf = IndexIdf(index, tokens);
        foreach (var partition in index.Partitions)
        {
            var found = tokens.Select(t => (Token: t, Found: partition.TryGetToken(t, out var id), Id: id)).Where(x => x.Found).ToList();
            var hits = new Dictionary<uint, (float Score, int Terms)>();
            foreach (var (token, _, id) in found)
            {
                var (docs, freqs) = partition.Posting(id);
                for (var k = 0; k < docs.Length; k++)
                {
                    var doc = docs[k];
                    var weight = idf[token] * DocWeight(freqs[k], partition.NumTokens[doc], index.AverageLength);
                    hits[doc] = hits.TryGetValue(doc, out var h) ? (h.Score + weight, h.Terms + 1) : (weight, 1);
                }
            }

            foreach (var (doc, (score, terms)) in hits)
            {
                if ((!all || terms == found.Count) && column.IndexedRow(partition.RowIds[doc]) is { } address)
                {
                    scores[address] = score * query.Boost;
                }
            }
        }

        var flat = column.Flat;
        foreach (var doc in flat.Documents)
        {
            var score = 0f;
            var terms = 0;
            foreach (var token in tokens)
            {
                var freq = doc.Count(token);
                if (freq == 0)
                {
                    continue;
                }

                terms++;
                var n = index.Partitions.Sum(p => p.TryGetToken(token, out var id) ? p.PostingLength(id) : 0) + flat.Occurrences(token);
                score += Idf(n, flat.DocumentCount) * DocWeight(freq, doc.Length, flat.AverageLength);
            }

            // LanceDB's search of rows outside the index ignores the operator: any term matches.
            if (terms > 0)
            {
                scores[doc.Address] = score * query.Boost;
            }
        }

        return scores;
    }

    private static List<string> Vocabulary(ColumnSearch column)
        => column.Index.Partitions.SelectMany(p => p.Tokens().Select(t => t.Token)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static Dictionary<long, float> Phrase(ColumnSearch column, PhraseQuery query)
    {
        var index = column.Index;
        var (tokens, places, idf) = AnalyzePhrase(column, query);
        var scores = new Dictionary<long, float>();
        if (tokens.Count == 0)
        {
            return scores;
        }

        foreach (var partition in index.Partitions)
        {
            if (PhraseTokenIds(partition, tokens) is not { } ids)
            {
                continue;
            }

            var postings = ids.Select(partition.Posting).ToList();
            var lookup = postings.Select(p => p.Docs.Select((d, k) => (d, k)).ToDictionary(x => x.d, x => x.k)).ToList();
            foreach (var doc in postings[0].Docs)
            {
                if (lookup.Any(l => !l.ContainsKey(doc)) || column.IndexedRow(partition.RowIds[doc]) is not { } address)
                {
                    continue;
                }

                var positions = ids.Select((id, i) => partition.Positions(id, lookup[i][doc])).ToList();
                if (!PhraseMatcher.Matches(positions, places, query.Slop))
                {
                    continue;
                }

                var score = 0f;
                for (var i = 0; i < ids.Count; i++)
                {
                    score += idf[tokens[i]] * DocWeight(postings[i].Frequencies[lookup[i][doc]], partition.NumTokens[doc], index.AverageLength);
                }

                scores[address] = score;
            }
        }

        var flat = column.Flat;
        foreach (var doc in flat.Documents)
        {
            if (tokens.Any(t => doc.Count(t) == 0) || !PhraseMatcher.Matches(tokens.Select(doc.Positions).ToList(), places, query.Slop))
            {
                continue;
            }

            var score = 0f;
            foreach (var token in tokens)
            {
                var n = index.Partitions.Sum(p => p.TryGetToken(token, out var id) ? p.PostingLength(id) : 0) + flat.Occurrences(token);
                score += Idf(n, flat.DocumentCount) * DocWeight(doc.Count(token), doc.Length, flat.AverageLength);
            }

            scores[doc.Address] = score;
        }

        return scores;
    }

    private Dictionary<long, float> MultiMatch(MultiMatchQuery query)
    {
        // LanceDB unions the per-column match queries and keeps each row's best score.
        var result = new Dictionary<long, float>();
        for (var i = 0; i < query.Columns.Count; i++)
        {
            var boost = query.Boosts is { } b && i < b.Count ? b[i] : 1f;
            foreach (var (row, score) in Match(Column(query.Columns[i]), new MatchQuery(query.Text, query.Columns[i]) { Operator = query.Operator, Boost = boost }))
            {
                result[row] = result.TryGetValue(row, out var s) ? Math.Max(s, score) : score;
            }
        }

        return result;
    }

    private Dictionary<long, float> Boolean(BooleanQuery query)
    {
        var must = query.Clauses.Where(c => c.Occur == Occur.Must).Select(c => Evaluate(c.Query)).ToList();
        var should = query.Clauses.Where(c => c.Occur == Occur.Should).Select(c => Evaluate(c.Query)).ToList();
        var mustNot = query.Clauses.Where(c => c.Occur == Occur.MustNot).SelectMany(c => Evaluate(c.Query).Keys).ToHashSet();
        if (must.Count == 0 && should.Count == 0)
        {
            throw new ArgumentException("A boolean query needs at least one must or should clause.", nameof(query));
        }

        Dictionary<long, float> result;
        if (must.Count > 0)
        {
            result = must[0].Where(kv => must.Skip(1).All(m => m.ContainsKey(kv.Key))).ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var scores in should)
            {
                foreach (var (row, score) in scores)
                {
                    if (result.TryGetValue(row, out var s))
                    {
                        result[row] = s + score;
                    }
                }
            }
        }
        else
        {
            result = [];
            foreach (var scores in should)
            {
                foreach (var (row, score) in scores)
                {
                    result[row] = result.TryGetValue(row, out var s) ? s + score : score;
                }
            }
        }

        foreach (var row in mustNot)
        {
            result.Remove(row);
        }

        return result;
    }

    private Dictionary<long, float> Boost(BoostQuery query)
    {
        var result = Evaluate(query.Positive);
        foreach (var (row, score) in Evaluate(query.Negative))
        {
            if (result.TryGetValue(row, out var s))
            {
                result[row] = s - (query.NegativeBoost * score);
            }
        }

        return result;
    }
}
