using System.Globalization;
using System.Text.Json;
using Lance.Engine;
using Lance.Engine.Index.FullText;
using Lance.Orm;
using Xunit.Abstractions;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// The generated queries of every kind, both ways: over the same rows, LanceDB indexes one table and our writer
/// (<c>CreateFtsIndexAsync</c>) the other, and each query must get the same top rows and BM25 scores (±1e-4 relative) four ways —
/// LanceDB's search over its own index (the reference), LanceDB's search over our index, our search over our index and our
/// search over LanceDB's index — or be refused by all four. All queries of a test go to LanceDB in one peer call.
/// </summary>
public sealed class GeneratedQueriesOnBothIndexesTests : IDisposable
{
    /// <summary>
    /// A spread over every tokenizer option (LanceDB's <c>Index.fts</c> options): the base tokenizers (simple, whitespace, raw,
    /// ngram with its lengths, plain and prefix-only), eight stemming languages, lower-casing, stemming, stop words, ASCII folding and
    /// maximum token length each switched away from LanceDB's default at least once, and positions on in most sets (so phrase
    /// queries are answered) and off in some (so they are refused alike). Each set gets every query kind three times.
    /// </summary>
    /// <remarks>
    /// LanceDB scores all the n-grams of a query with one of their idfs, chosen by how its index numbers tokens
    /// (<see cref="LanceDbFullTextQuirksTests"/>); we give each n-gram its own. So for the n-gram sets (plain and prefix-only)
    /// only LanceDB's answers from the two indexes are compared: they agree because our writer numbers tokens as LanceDB's
    /// does, in the order they first appear.
    /// </remarks>
    private static readonly (string Name, string Language, FullTextIndexOptions Options)[] Sets =
    [
        ("_en", "English", new FullTextIndexOptions { WithPosition = true }),
        ("_fr", "French", new FullTextIndexOptions { Language = "French", WithPosition = true }),
        ("_de", "German", new FullTextIndexOptions { Language = "German", WithPosition = true }),
        ("_es", "Spanish", new FullTextIndexOptions { Language = "Spanish" }),
        ("_ru", "Russian", new FullTextIndexOptions { Language = "Russian", WithPosition = true }),
        ("_fi", "Finnish", new FullTextIndexOptions { Language = "Finnish", WithPosition = true }),
        ("_tr", "Turkish", new FullTextIndexOptions { Language = "Turkish", RemoveStopWords = false, WithPosition = true }),
        ("_ws", "German", new FullTextIndexOptions { BaseTokenizer = "whitespace", LowerCase = false, Stem = false, RemoveStopWords = false, WithPosition = true }),
        ("_raw", "French", new FullTextIndexOptions { BaseTokenizer = "raw", Stem = false, RemoveStopWords = false }),
        ("_plain", "Swedish", new FullTextIndexOptions { AsciiFolding = false, Stem = false, RemoveStopWords = false, WithPosition = true }),
        ("_nostem", "English", new FullTextIndexOptions { Stem = false, WithPosition = true }),
        ("_max6", "Italian", new FullTextIndexOptions { MaxTokenLength = 6, LowerCase = false, WithPosition = true }),
        ("_ngram", "Dutch", new FullTextIndexOptions { BaseTokenizer = "ngram", Stem = false, RemoveStopWords = false }),
        ("_ngram25", "Spanish", new FullTextIndexOptions { BaseTokenizer = "ngram", NgramMinLength = 2, NgramMaxLength = 5, Stem = false, RemoveStopWords = false }),
        ("_prefix", "Portuguese", new FullTextIndexOptions { BaseTokenizer = "ngram", NgramMinLength = 2, NgramMaxLength = 4, PrefixOnly = true, Stem = false, RemoveStopWords = false }),
        ("_upper", "English", new FullTextIndexOptions { LowerCase = false, Stem = false, AsciiFolding = false, WithPosition = true }),
    ];

    private readonly ITestOutputHelper _output;
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = new(LanceDbPeer.Default.PeerDirectory, LanceDbPeer.Default.NodeExecutable) { Timeout = TimeSpan.FromMinutes(5) };

    public GeneratedQueriesOnBothIndexesTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Two_hundred_and_ten_generated_queries_answer_alike_from_our_index_and_LanceDBs()
    {
        // The rows and queries of GeneratedFullTextQueryTests: `text` indexed with positions, `title` without.
        var rows = GeneratedQueries.Rows(500, 41);
        var pair = new Pair("", [("text", new FullTextIndexOptions { WithPosition = true }), ("title", new FullTextIndexOptions())], GeneratedQueries.Generate(210, 42, rows));
        var outcome = await CompareAsync(rows, [pair]);

        // Query 178 (phrase "light; SEARCH; golden", slop 1): LanceDB answers alike from both indexes, and misses row 167, which
        // holds the phrase exactly (see LanceDbSloppyPhrase and README, "Full-text and hybrid search"); we return it.
        _output.WriteLine(outcome.Summary());
        Assert.Equal(new[] { "query 178" }, outcome.KnownDivergences);
        outcome.AssertClean(perKindMinimum: 15, maxRefusals: 10);
    }

    [Fact]
    public async Task Every_query_kind_over_every_tokenizer_option_answers_alike_from_our_index_and_LanceDBs()
    {
        var rows = FtsLanguages.Rows(240, 43);
        var random = new Random(44);
        for (var i = 0; i < rows.Count; i++)
        {
            var language = FtsLanguages.Words.Keys.ElementAt(i % FtsLanguages.Words.Count);
            rows[i]["title"] = random.Next(15) == 0 ? null : Words(random, language, 4);
        }

        // Every kind three times per option set: 16 sets × 21 queries = 336 queries, each over `text` and `title` indexed with the set's options.
        var pairs = Sets.Select((s, p) => new Pair(
            s.Name, [("text", s.Options), ("title", s.Options)],
            GeneratedQueries.Generate(3 * GeneratedQueries.Kinds.Length, 100 + p, rows, (r, n) => Words(r, s.Language, n)))
        {
            OurScoresComparable = s.Options.BaseTokenizer != "ngram",
        }).ToList();

        // One named divergence: LanceDB's fuzzy search never matches "日本語テキスト" (日 and 本 both begin with byte E6), though
        // rows hold it exactly, and we do (LanceDbFullTextQuirksTests): our answer less the rows holding it must be LanceDB's. Otherwise only sloppy
        // phrases LanceDB misses (LanceDbSloppyPhrase), checked row by row.
        var outcome = await CompareAsync(rows, pairs, named: new Dictionary<string, string> { ["_nostem query 16"] = "日本語テキスト" });
        _output.WriteLine(outcome.Summary());
        Assert.Contains("_nostem query 16", outcome.KnownDivergences);
        Assert.True(outcome.OnlyLanceDbCompared >= 45, $"{outcome.OnlyLanceDbCompared} n-gram queries compared");
        Assert.True(outcome.KnownDivergences.Count <= 6, string.Join(", ", outcome.KnownDivergences));
        outcome.AssertClean(perKindMinimum: 8, maxRefusals: 40);
    }

    /// <summary>One pair of tables over the same rows: indexes (the same on both sides) and the queries both answer.</summary>
    private sealed record Pair(string Name, (string Column, FullTextIndexOptions Options)[] Indexes, List<FullTextSearchRequest> Requests)
    {
        /// <summary>Whether our search must answer as LanceDB (not for n-gram indexes: LanceDB's shared n-gram idf); LanceDB's answers from both indexes are always compared.</summary>
        public bool OurScoresComparable { get; init; } = true;
    }

    private async Task<Outcome> CompareAsync(List<Dictionary<string, object?>> rows, IReadOnlyList<Pair> pairs, IReadOnlyDictionary<string, string>? named = null)
    {
        using (await _peer.RunAsync("fts-twin.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path, ["phase"] = "create", ["rows"] = rows,
            ["pairs"] = pairs.Select(p => new Dictionary<string, object?>
            {
                ["name"] = p.Name,
                ["index"] = p.Indexes.Select(i => new { column = i.Column, options = NodeOptions(i.Options) }).ToList(),
            }).ToList(),
        }))
        {
        }

        foreach (var pair in pairs)
        {
            await using var ours = await LanceDataset.OpenAsync(Path.Combine(_db.Path, $"ours{pair.Name}.lance"));
            foreach (var (column, options) in pair.Indexes)
            {
                await ours.CreateFtsIndexAsync(column, options);
            }
        }

        using var json = await _peer.RunAsync("fts-twin.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path, ["phase"] = "query",
            ["pairs"] = pairs.Select(p => new Dictionary<string, object?> { ["name"] = p.Name, ["queries"] = p.Requests.Select(FtsPeerQueries.Entry).ToList() }).ToList(),
        });

        var texts = rows.ToDictionary(r => Convert.ToInt64(r["id"], CultureInfo.InvariantCulture), r => r["text"] as string);
        var outcome = new Outcome(texts, named ?? new Dictionary<string, string>());
        for (var p = 0; p < pairs.Count; p++)
        {
            var pair = pairs[p];
            var answer = json.RootElement.GetProperty("pairs")[p];
            var indices = answer.GetProperty("indices");
            foreach (var (column, _) in pair.Indexes)
            {
                var theirsDetails = Details(indices.GetProperty("theirs"), column);
                var oursDetails = Details(indices.GetProperty("ours"), column);
                if (theirsDetails != oursDetails)
                {
                    outcome.Failures.Add($"{pair.Name} {column}: LanceDB reads other options from our index: {oursDetails} vs {theirsDetails}");
                }
            }

            var theirs = FtsAnswers.Parse(answer.GetProperty("theirs"));
            var lanceOnOurs = FtsAnswers.Parse(answer.GetProperty("ours"));
            await using var ourIndex = await LanceDataset.OpenAsync(Path.Combine(_db.Path, $"ours{pair.Name}.lance"));
            await using var theirIndex = await LanceDataset.OpenAsync(Path.Combine(_db.Path, $"theirs{pair.Name}.lance"));
            for (var i = 0; i < pair.Requests.Count; i++)
            {
                await outcome.CompareAsync(pair, i, theirs[i], lanceOnOurs[i], ourIndex, theirIndex);
            }
        }

        return outcome;
    }

    private static string Details(JsonElement indices, string column)
        => indices.EnumerateArray().Single(i => i.GetProperty("columns")[0].GetString() == column).GetProperty("details").GetRawText();

    private static Dictionary<string, object?> NodeOptions(FullTextIndexOptions o) => new()
    {
        ["baseTokenizer"] = o.BaseTokenizer, ["language"] = o.Language, ["withPosition"] = o.WithPosition, ["maxTokenLength"] = o.MaxTokenLength,
        ["lowercase"] = o.LowerCase, ["stem"] = o.Stem, ["removeStopWords"] = o.RemoveStopWords, ["asciiFolding"] = o.AsciiFolding,
        ["ngramMinLength"] = o.NgramMinLength, ["ngramMaxLength"] = o.NgramMaxLength, ["prefixOnly"] = o.PrefixOnly,
    };

    /// <summary>1 to <paramref name="maxWords"/> words of <paramref name="language"/>, now and then a token of no language.</summary>
    private static string Words(Random random, string language, int maxWords)
    {
        var words = FtsLanguages.Words[language];
        return string.Join(" ", Enumerable.Range(0, 1 + random.Next(maxWords))
            .Select(_ => random.Next(8) == 0 ? FtsLanguages.Others[random.Next(FtsLanguages.Others.Length)] : words[random.Next(words.Length)]));
    }

    /// <summary>What the comparisons found: failures, the queries where our search alone differs, and counts.</summary>
    private sealed class Outcome(Dictionary<long, string?> texts, IReadOnlyDictionary<string, string> named)
    {
        public List<string> Failures { get; } = [];

        /// <summary>
        /// Queries ("query N", after the pair's name) where LanceDB answers alike from both indexes and our search differs on
        /// both by exactly the rows LanceDB misses: those its sloppy phrase walk misses (<see cref="LanceDbSloppyPhrase"/>), or for
        /// a named query, those holding the named word.
        /// </summary>
        public List<string> KnownDivergences { get; } = [];

        private readonly List<string> _knownQueries = [];

        public Dictionary<string, int> FoundRowsPerKind { get; } = [];

        public int Refusals { get; set; }

        public int Compared { get; set; }

        /// <summary>Queries over n-gram indexes, where only LanceDB's answers from the two indexes were compared.</summary>
        public int OnlyLanceDbCompared { get; set; }

        public async Task CompareAsync(
            Pair pair, int i, (List<(long Id, double Score)> Hits, string? Error) theirs, (List<(long Id, double Score)> Hits, string? Error) lanceOnOurs,
            LanceDataset ourIndex, LanceDataset theirIndex)
        {
            var request = pair.Requests[i];
            var kind = GeneratedQueries.Kinds[i % GeneratedQueries.Kinds.Length];
            var what = $"{(pair.Name.Length > 0 ? pair.Name + " " : "")}query {i} ({kind}) {JsonSerializer.Serialize(FtsPeerQueries.Entry(request))}";
            Compared++;
            if (theirs.Error is { } error)
            {
                // LanceDB refuses the query on its own index (a phrase without positions, a fuzzy prefix inside a character):
                // it must refuse it on ours, and so must we on both.
                if (lanceOnOurs.Error is null)
                {
                    Failures.Add($"{what}: LanceDB refused it on its index ({error}) but answered on ours.");
                }

                foreach (var (side, dataset) in new[] { ("our", ourIndex), ("LanceDB's", theirIndex) })
                {
                    var refused = await Record.ExceptionAsync(() => FtsAnswers.OursAsync(dataset, request));
                    if (refused is not (ArgumentException or LanceException))
                    {
                        Failures.Add($"{what}: LanceDB refused it ({error}); our search over {side} index {(refused is null ? "answered" : "threw " + refused)}.");
                    }
                }

                Refusals++;
                return;
            }

            if (lanceOnOurs.Error is { } oursError)
            {
                Failures.Add($"{what}: LanceDB failed on our index: {oursError}");
                return;
            }

            var lanceDiffers = Differs(() => FtsAnswers.AssertSame(theirs.Hits, lanceOnOurs.Hits, what + ": LanceDB on our index vs on its own", request.Offset));
            if (lanceDiffers is not null)
            {
                Failures.Add(lanceDiffers);
            }

            FoundRowsPerKind[kind] = FoundRowsPerKind.GetValueOrDefault(kind) + (theirs.Hits.Count > 0 ? 1 : 0);
            if (!pair.OurScoresComparable)
            {
                OnlyLanceDbCompared++;
                return;
            }

            var onOurs = await Differs(async () => FtsAnswers.AssertSame(theirs.Hits, await FtsAnswers.OursAsync(ourIndex, request), what + ": our search on our index", request.Offset));
            var onTheirs = await Differs(async () => FtsAnswers.AssertSame(theirs.Hits, await FtsAnswers.OursAsync(theirIndex, request), what + ": our search on LanceDB's index", request.Offset));
            var label = $"{(pair.Name.Length > 0 ? pair.Name + " " : "")}query {i}";
            if (lanceDiffers is null && (onOurs ?? onTheirs) is not null
                && (named.TryGetValue(label, out var word)
                    ? await OnlyMissesAsync(ourIndex, request, theirs.Hits, t => t.Contains(word, StringComparison.Ordinal))
                        && await OnlyMissesAsync(theirIndex, request, theirs.Hits, t => t.Contains(word, StringComparison.Ordinal))
                    : request.Query is PhraseQuery { Slop: > 0 } phrase
                        && await OnlyMissesAsync(ourIndex, request, theirs.Hits, t => LanceDbSloppyPhrase.Misses(t, phrase, OptionsOf(pair, phrase)))
                        && await OnlyMissesAsync(theirIndex, request, theirs.Hits, t => LanceDbSloppyPhrase.Misses(t, phrase, OptionsOf(pair, phrase)))))
            {
                KnownDivergences.Add(label);
                _knownQueries.Add(what);
            }
            else
            {
                Failures.AddRange(new[] { onOurs, onTheirs }.OfType<string>());
            }

        }

        private static FullTextIndexOptions OptionsOf(Pair pair, PhraseQuery phrase) => pair.Indexes.Single(x => x.Column == (phrase.Column ?? "text")).Options;

        /// <summary>Whether our whole answer, less the rows whose text LanceDB <paramref name="misses"/>, paged as asked, is LanceDB's answer.</summary>
        private async Task<bool> OnlyMissesAsync(
            LanceDataset dataset, FullTextSearchRequest request, List<(long Id, double Score)> theirs, Func<string, bool> misses)
        {
            var all = await FtsAnswers.OursAsync(dataset, request with { Offset = 0, Limit = 100_000 });
            var missed = all.Where(h => texts[h.Id] is { } text && misses(text)).Select(h => h.Id).ToHashSet();
            var expected = all.Where(h => !missed.Contains(h.Id)).Skip(request.Offset).Take(request.Limit).ToList();
            return missed.Count > 0 && Differs(() => FtsAnswers.AssertSame(theirs, expected, "", request.Offset)) is null;
        }

        public string Summary()
            => $"{Compared} queries: {Refusals} refused by all, {OnlyLanceDbCompared} (n-gram) compared between LanceDB's answers only, "
                + $"known divergences [{string.Join(", ", KnownDivergences)}], failures {Failures.Count}; queries that found rows per kind: "
                + string.Join(", ", FoundRowsPerKind.Select(kv => $"{kv.Key} {kv.Value}")) + string.Concat(_knownQueries.Select(q => "\n  " + q));

        public void AssertClean(int perKindMinimum, int maxRefusals)
        {
            Assert.True(Failures.Count == 0, $"{Failures.Count} differences over {Compared} queries:\n{string.Join("\n\n", Failures.Take(30))}");

            // Every kind found rows in enough queries that the comparison was not of empty answers.
            Assert.All(GeneratedQueries.Kinds, k => Assert.True(FoundRowsPerKind.GetValueOrDefault(k) >= perKindMinimum, $"{k}: only {FoundRowsPerKind.GetValueOrDefault(k)} queries found rows"));
            Assert.True(Refusals <= maxRefusals, $"{Refusals} of {Compared} queries were refused by all");
        }

        private static string? Differs(Action check)
        {
            try
            {
                check();
                return null;
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException)
            {
                return e.Message;
            }
        }

        private static async Task<string?> Differs(Func<Task> check)
        {
            try
            {
                await check();
                return null;
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or ArgumentException or LanceException)
            {
                return e.Message;
            }
        }
    }
}
