using Lance.Engine.Index.FullText;

namespace Lance.Engine.Tests.Index.FullText;

public sealed class PhraseMatcherTests
{
    [Fact]
    public void A_phrase_after_a_removed_leading_stop_word_cannot_start_before_the_document()
    {
        // "of tereightou": "of" is dropped, so the query holds one term at position 1.
        Assert.False(PhraseMatcher.Matches([[0u]], [1], slop: 0));
        Assert.True(PhraseMatcher.Matches([[0u, 5u]], [1], slop: 0));
        Assert.True(PhraseMatcher.Matches([[1u]], [1], slop: 0));
    }

    [Fact]
    public void Consecutive_terms_match_at_their_query_distance()
    {
        Assert.True(PhraseMatcher.Matches([[0u, 7u], [8u]], [0, 1], slop: 0));
        Assert.False(PhraseMatcher.Matches([[0u], [2u]], [0, 1], slop: 0));
        Assert.True(PhraseMatcher.Matches([[0u], [2u]], [0, 1], slop: 1));

        // A gap left by a stop word between the terms is kept: "golden (the) retriever".
        Assert.True(PhraseMatcher.Matches([[3u], [5u]], [0, 2], slop: 0));
        Assert.False(PhraseMatcher.Matches([[3u], [4u]], [0, 2], slop: 0));
    }
}
