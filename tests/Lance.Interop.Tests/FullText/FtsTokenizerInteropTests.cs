using System.Text;
using System.Text.Json;
using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// Tokenizer options as LanceDB's: for each option set, LanceDB indexes a multilingual corpus and we index the same rows
/// with the same options; both indexes must hold the same tokens, the same per-row token counts, frequencies and positions,
/// and LanceDB's search must answer seeded queries alike from both.
/// </summary>
public sealed class FtsTokenizerInteropTests : IDisposable
{
    private static readonly (string Name, string Language, FullTextIndexOptions Options)[] Sets =
    [
        ("_en", "English", new FullTextIndexOptions()),
        ("_fr", "French", new FullTextIndexOptions { Language = "French" }),
        ("_de", "German", new FullTextIndexOptions { Language = "German", WithPosition = true }),
        ("_es", "Spanish", new FullTextIndexOptions { Language = "Spanish" }),
        ("_it", "Italian", new FullTextIndexOptions { Language = "Italian" }),
        ("_pt", "Portuguese", new FullTextIndexOptions { Language = "Portuguese" }),
        ("_nl", "Dutch", new FullTextIndexOptions { Language = "Dutch" }),
        ("_sv", "Swedish", new FullTextIndexOptions { Language = "Swedish" }),
        ("_ru", "Russian", new FullTextIndexOptions { Language = "Russian" }),
        ("_fi", "Finnish", new FullTextIndexOptions { Language = "Finnish" }),
        ("_tr", "Turkish", new FullTextIndexOptions { Language = "Turkish", RemoveStopWords = false }),
        ("_ws", "German", new FullTextIndexOptions { BaseTokenizer = "whitespace", LowerCase = false, Stem = false, RemoveStopWords = false }),
        ("_raw", "French", new FullTextIndexOptions { BaseTokenizer = "raw", Stem = false, RemoveStopWords = false }),
        ("_plain", "Swedish", new FullTextIndexOptions { AsciiFolding = false, Stem = false, RemoveStopWords = false, WithPosition = true }),
        ("_max6", "Italian", new FullTextIndexOptions { MaxTokenLength = 6, LowerCase = false }),
    ];

    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = new(LanceDbPeer.Default.PeerDirectory, LanceDbPeer.Default.NodeExecutable) { Timeout = TimeSpan.FromMinutes(6) };

    public void Dispose() => _db.Dispose();

    private static Dictionary<string, object?> NodeOptions(FullTextIndexOptions o) => new()
    {
        ["baseTokenizer"] = o.BaseTokenizer, ["language"] = o.Language, ["withPosition"] = o.WithPosition, ["maxTokenLength"] = o.MaxTokenLength,
        ["lowercase"] = o.LowerCase, ["stem"] = o.Stem, ["removeStopWords"] = o.RemoveStopWords, ["asciiFolding"] = o.AsciiFolding,
        ["ngramMinLength"] = o.NgramMinLength, ["ngramMaxLength"] = o.NgramMaxLength, ["prefixOnly"] = o.PrefixOnly,
    };

    [Fact]
    public async Task Every_tokenizer_option_gives_LanceDBs_tokens_postings_and_scores()
    {
        var rows = FtsLanguages.Rows(360, 41);
        using (await _peer.RunAsync("fts-twin.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path, ["phase"] = "create", ["rows"] = rows,
            ["pairs"] = Sets.Select(s => new Dictionary<string, object?> { ["name"] = s.Name, ["options"] = NodeOptions(s.Options) }).ToList(),
        }))
        {
        }

        var failures = new List<string>();
        foreach (var (name, _, options) in Sets)
        {
            await using var ours = await LanceDataset.OpenAsync(Path.Combine(_db.Path, $"ours{name}.lance"));
            await ours.CreateFtsIndexAsync("text", options);
            await using var theirs = await LanceDataset.OpenAsync(Path.Combine(_db.Path, $"theirs{name}.lance"));
            CompareContents(name, Contents(theirs), Contents(ours), failures);
        }

        var random = new Random(42);
        var queries = Sets.ToDictionary(s => s.Name, s => Enumerable.Range(0, 12).Select(_ => FtsLanguages.Query(random, s.Language)).ToList());
        using var json = await _peer.RunAsync("fts-twin.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path, ["phase"] = "query",
            ["pairs"] = Sets.Select(s => new Dictionary<string, object?> { ["name"] = s.Name, ["queries"] = queries[s.Name] }).ToList(),
        });
        var pairs = json.RootElement.GetProperty("pairs");
        for (var p = 0; p < Sets.Length; p++)
        {
            var name = Sets[p].Name;
            var indices = pairs[p].GetProperty("indices");
            if (indices.GetProperty("theirs")[0].GetProperty("details").GetRawText() != indices.GetProperty("ours")[0].GetProperty("details").GetRawText())
            {
                failures.Add($"{name}: LanceDB reads other options from our index: {indices.GetProperty("ours")[0].GetProperty("details").GetRawText()} vs {indices.GetProperty("theirs")[0].GetProperty("details").GetRawText()}");
            }

            var theirHits = pairs[p].GetProperty("theirs");
            var ourHits = pairs[p].GetProperty("ours");
            for (var q = 0; q < queries[name].Count; q++)
            {
                if (theirHits[q].GetRawText() == ourHits[q].GetRawText())
                {
                    continue;
                }

                try
                {
                    FtsAnswers.AssertSame(Hits(theirHits[q]), Hits(ourHits[q]), $"{name} query '{queries[name][q]}'");
                }
                catch (Exception e) when (e is Xunit.Sdk.XunitException or KeyNotFoundException or InvalidOperationException)
                {
                    failures.Add($"{name} query '{queries[name][q]}': {theirHits[q].GetRawText()} (LanceDB's index) vs {ourHits[q].GetRawText()} (ours): {e.Message}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    private static List<(long Id, double Score)> Hits(JsonElement answer)
        => answer.ValueKind == JsonValueKind.Object
            ? throw new InvalidOperationException(answer.GetProperty("error").GetString())
            : answer.EnumerateArray().Select(h => (h.GetProperty("id").GetInt64(), h.GetProperty("score").GetDouble())).ToList();

    /// <summary>Per row id: its token count, and per token its frequency and positions (empty without positions).</summary>
    private static (Dictionary<ulong, uint> Lengths, Dictionary<(ulong Row, string Token), string> Postings) Contents(LanceDataset dataset)
    {
        var (_, index) = dataset.FullTextIndexNamed("text_idx");
        var lengths = new Dictionary<ulong, uint>();
        var postings = new Dictionary<(ulong, string), string>();
        foreach (var partition in index.Partitions)
        {
            for (var d = 0; d < partition.DocumentCount; d++)
            {
                lengths[partition.RowIds[d]] = partition.NumTokens[d];
            }

            foreach (var (token, id) in partition.Tokens())
            {
                var (docs, frequencies) = partition.Posting(id);
                for (var k = 0; k < docs.Length; k++)
                {
                    var positions = partition.HasPositions ? string.Join(",", partition.Positions(id, k)) : "";
                    postings[(partition.RowIds[docs[k]], token)] = $"{frequencies[k]}@{positions}";
                }
            }
        }

        return (lengths, postings);
    }

    private static void CompareContents(
        string name, (Dictionary<ulong, uint> Lengths, Dictionary<(ulong Row, string Token), string> Postings) theirs,
        (Dictionary<ulong, uint> Lengths, Dictionary<(ulong Row, string Token), string> Postings) ours, List<string> failures)
    {
        var lengthDiffs = theirs.Lengths.Where(kv => !ours.Lengths.TryGetValue(kv.Key, out var n) || n != kv.Value)
            .Select(kv => $"row {kv.Key}: {kv.Value} tokens (LanceDB) vs {(ours.Lengths.TryGetValue(kv.Key, out var n) ? n : -1)}").Take(5).ToList();
        if (lengthDiffs.Count > 0 || theirs.Lengths.Count != ours.Lengths.Count)
        {
            failures.Add($"{name}: documents differ ({theirs.Lengths.Count} vs {ours.Lengths.Count}): {string.Join("; ", lengthDiffs)}");
        }

        var onlyTheirs = theirs.Postings.Keys.Select(k => k.Token).Distinct().Except(ours.Postings.Keys.Select(k => k.Token)).Take(12).ToList();
        var onlyOurs = ours.Postings.Keys.Select(k => k.Token).Distinct().Except(theirs.Postings.Keys.Select(k => k.Token)).Take(12).ToList();
        if (onlyTheirs.Count > 0 || onlyOurs.Count > 0)
        {
            failures.Add($"{name}: tokens only LanceDB has: [{string.Join(" ", onlyTheirs.Select(Show))}]; only we have: [{string.Join(" ", onlyOurs.Select(Show))}]");
            return;
        }

        var diffs = theirs.Postings.Where(kv => !ours.Postings.TryGetValue(kv.Key, out var v) || v != kv.Value)
            .Select(kv => $"row {kv.Key.Row} token {Show(kv.Key.Token)}: {kv.Value} vs {ours.Postings.GetValueOrDefault(kv.Key, "none")}").Take(5).ToList();
        if (diffs.Count > 0 || theirs.Postings.Count != ours.Postings.Count)
        {
            failures.Add($"{name}: postings differ ({theirs.Postings.Count} vs {ours.Postings.Count}): {string.Join("; ", diffs)}");
        }
    }

    private static string Show(string token) => $"'{token}'({Convert.ToHexString(Encoding.UTF8.GetBytes(token))})";
}
