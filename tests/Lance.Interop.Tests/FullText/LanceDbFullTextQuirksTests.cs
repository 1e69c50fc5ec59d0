using Lance.Engine;
using Lance.Engine.Index.FullText;

namespace Lance.Interop.Tests.FullText;

/// <summary>
/// Where LanceDB 0.31's full-text answers differ from ours, pinned on small tables so that a change on either side shows: a
/// phrase with slop that LanceDB misses though its documentation says it matches, fuzzy matches LanceDB never makes for
/// some words with accented or non-Latin letters, and n-gram queries whose n-grams LanceDB scores with one shared idf.
/// </summary>
public sealed class LanceDbFullTextQuirksTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private async Task<List<(List<(long Id, double Score)> Hits, string? Error)>> LanceDbAsync(
        string[] texts, object indexOptions, IEnumerable<FullTextSearchRequest> requests)
    {
        using var json = await _peer.RunAsync("fts.mjs", new Dictionary<string, object?>
        {
            ["db"] = _db.Path,
            ["table"] = "t",
            ["rows"] = texts.Select((text, id) => new Dictionary<string, object?> { ["id"] = id, ["text"] = text }).ToList(),
            ["index"] = new[] { new { column = "text", options = indexOptions } },
            ["queries"] = requests.Select(FtsPeerQueries.Entry).ToList(),
        });
        return FtsAnswers.Parse(json);
    }

    [Fact]
    public async Task LanceDB_misses_a_phrase_with_slop_when_a_later_word_also_comes_before_it_and_we_do_not()
    {
        // LanceDB documents slop as "the maximum number of intervening unmatched positions allowed between words in the
        // phrase": row 0 holds the phrase exactly, so every slop should find it. LanceDB finds it with slop 0 only.
        string[] texts = ["golden light search golden", "x light search golden y light", "light golden search", "search golden"];
        var exact = new PhraseQuery("light search golden", "text");
        var sloppy = exact with { Slop = 1 };
        var theirs = await LanceDbAsync(texts, new { withPosition = true }, [new(exact), new(sloppy)]);
        Assert.Equal([0L, 1L], theirs[0].Hits.Select(h => h.Id).Order());
        Assert.Equal([1L], theirs[1].Hits.Select(h => h.Id));

        await using var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "t.lance"));
        FtsAnswers.AssertSame(theirs[0].Hits, await FtsAnswers.OursAsync(dataset, new(exact)), "slop 0");
        var ours = await FtsAnswers.OursAsync(dataset, new(sloppy));
        Assert.Equal([0L, 1L], ours.Select(h => h.Id).Order());

        // The model of LanceDB's walk that the generated suites use to tell this case from a real difference.
        var options = new FullTextIndexOptions { WithPosition = true };
        Assert.Equal([true, false, false, false], texts.Select(t => LanceDbSloppyPhrase.Misses(t, sloppy, options)));
    }

    [Fact]
    public async Task LanceDB_never_fuzzy_matches_a_word_with_two_different_neighbouring_characters_of_one_UTF8_lead_byte_and_we_do()
    {
        // In our probes LanceDB's fuzzy queries never match an indexed word in which two different non-ASCII characters that
        // begin with the same UTF-8 byte stand side by side ("日本": E6 97 A5, E6 9C AC; "кн"; "éè"), not even the word
        // itself, though the same words are found without fuzziness; "北京" (E5, E4), "éé" (the same character twice) and
        // "déjà" (not side by side) are found. We find them all, as the fuzziness promises.
        string[] missed = ["日本", "кн", "éè"];
        string[] found = ["北京", "éé", "déjà"];
        string[] texts = [.. missed, .. found];
        var queries = texts.Select(t => new FullTextSearchRequest(new MatchQuery(t, "text") { Fuzziness = 1 })).ToList();
        var exact = texts.Select(t => new FullTextSearchRequest(new MatchQuery(t, "text"))).ToList();
        var theirs = await LanceDbAsync(texts, new { stem = false, asciiFolding = false }, [.. queries, .. exact]);

        await using var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "t.lance"));
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Contains(i, theirs[texts.Length + i].Hits.Select(h => (int)h.Id));
            Assert.Equal(i >= missed.Length, theirs[i].Hits.Any(h => h.Id == i));
            Assert.Contains(i, (await FtsAnswers.OursAsync(dataset, queries[i])).Select(h => (int)h.Id));
        }
    }

    [Fact]
    public async Task LanceDB_scores_every_ngram_of_a_query_with_one_idf_and_we_give_each_its_own()
    {
        // Row 0 is the only one with "xyz" and one of three with "abc". Searched alone, each n-gram gets its own idf (and we
        // agree). Searched together ("xyzabc": n-grams xyz, yza, zab, abc), LanceDB scores row 0's "xyz" with the idf of
        // "abc" as well — in these probes, the idf of the query n-gram its index numbered last. So its scores depend on how an
        // index numbers tokens, and differ between two indexes holding the same tokens.
        string[] texts = ["xyz abc", "abc", "abc", "qqq"];
        var options = new { baseTokenizer = "ngram", stem = false, removeStopWords = false };
        FullTextSearchRequest Match(string text) => new(new MatchQuery(text, "text"));
        var theirs = await LanceDbAsync(texts, options, [Match("xyz"), Match("abc"), Match("xyzabc")]);
        var xyz = theirs[0].Hits.Single(h => h.Id == 0).Score;
        var abc = theirs[1].Hits.Single(h => h.Id == 0).Score;
        var both = theirs[2].Hits.Single(h => h.Id == 0).Score;
        Assert.Equal(2 * abc, both, 1e-5);
        Assert.True(xyz > 1.5 * abc, $"xyz {xyz}, abc {abc}");

        await using var dataset = await LanceDataset.OpenAsync(Path.Combine(_db.Path, "t.lance"));
        FtsAnswers.AssertSame(theirs[0].Hits, await FtsAnswers.OursAsync(dataset, Match("xyz")), "xyz");
        FtsAnswers.AssertSame(theirs[1].Hits, await FtsAnswers.OursAsync(dataset, Match("abc")), "abc");
        var ours = await FtsAnswers.OursAsync(dataset, Match("xyzabc"));
        Assert.Equal(xyz + abc, ours.Single(h => h.Id == 0).Score, 1e-5);
    }
}
