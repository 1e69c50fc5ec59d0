using Lance.Engine.Dataset;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// One full-text search in progress: the columns it reads (each with its index, the rows the index
/// covers that the filter lets through, and the rows outside the index tokenized on the fly), and
/// the evaluation of each query kind into BM25 scores by row address. The best-k shortcut for match
/// and phrase queries is <see cref="TopKSearch"/>; the scoring formulas are <see cref="Bm25"/>.
/// </summary>
internal sealed class SearchContext(Snapshot snapshot, RowFilter? filter, CancellationToken cancellationToken)
{
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
                TopKSearch.Match(Column(m.Column), m, top);
                break;
            case PhraseQuery p:
                TopKSearch.Phrase(Column(p.Column), p, top);
                break;
            default:
                return null;
        }

        return top.Sorted();
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
        var idf = Bm25.IndexIdf(index, tokens);
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
                    var weight = idf[token] * Bm25.DocWeight(freqs[k], partition.NumTokens[doc], index.AverageLength);
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
            var (score, terms) = Bm25.Unindexed(index, flat, doc, tokens);

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
        var (tokens, places, idf) = PhraseTerms.Analyze(column, query);
        var scores = new Dictionary<long, float>();
        if (tokens.Count == 0)
        {
            return scores;
        }

        foreach (var partition in index.Partitions)
        {
            if (PhraseTerms.TokenIds(partition, tokens) is not { } ids)
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
                    score += idf[tokens[i]] * Bm25.DocWeight(postings[i].Frequencies[lookup[i][doc]], partition.NumTokens[doc], index.AverageLength);
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

            // Every token is in the document (checked above), so each term counts as in a match query.
            var score = Bm25.Unindexed(index, flat, doc, tokens).Score;

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
