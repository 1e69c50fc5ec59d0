using System.Numerics.Tensors;

namespace Lance.Orm.Embeddings.Tests;

[Collection(MiniLmCollection.Name)]
public sealed class EmbeddingTests(MiniLmFixture fixture)
{
    private static readonly string[] Sentences =
    [
        "A puppy chased a ball across the garden.",
        "Interest rates rose again this quarter.",
        "Stir the sauce until it thickens.",
        "ok",
        "The orchestra tuned up before the concert began, filling the hall with a soft, expectant hum.",
        "",
        "Café au lait, s'il vous plaît.",
    ];

    [Fact]
    public async Task Vectors_have_384_floats_and_unit_norm()
    {
        var vectors = await fixture.Model.ComputeSourceEmbeddingsAsync(Sentences);

        Assert.Equal(Sentences.Length, vectors.Length);
        Assert.All(vectors, v =>
        {
            Assert.Equal(384, v.Length);
            Assert.Equal(1.0, TensorPrimitives.Norm(v), 1e-5);
        });
    }

    [Fact]
    public async Task Batched_results_equal_one_at_a_time_results()
    {
        var batched = await fixture.Model.ComputeSourceEmbeddingsAsync(Sentences);

        for (int i = 0; i < Sentences.Length; i++)
        {
            var single = await fixture.Model.ComputeQueryEmbeddingAsync(Sentences[i]);
            Assert.True(TensorPrimitives.Distance(batched[i], single) < 1e-5 * 384, $"sentence {i} differs");
            for (int d = 0; d < single.Length; d++)
            {
                Assert.Equal(single[d], batched[i][d], 1e-5);
            }
        }
    }

    [Fact]
    public async Task Inputs_larger_than_a_batch_keep_their_order()
    {
        using var small = new MiniLm(new MiniLmOptions { MaxBatchSize = 3 });
        var texts = Enumerable.Range(0, 10).Select(i => $"Sentence number {i} talks about {(i % 2 == 0 ? "cats" : "the stock market and its many moving parts")}.").ToArray();

        var vectors = await small.ComputeSourceEmbeddingsAsync(texts);

        for (int i = 0; i < texts.Length; i++)
        {
            var single = await fixture.Model.ComputeQueryEmbeddingAsync(texts[i]);
            Assert.True(TensorPrimitives.CosineSimilarity(single, vectors[i]) > 0.99999f, $"text {i} out of place");
        }
    }

    [Fact]
    public async Task Texts_longer_than_256_tokens_are_truncated()
    {
        var words = string.Join(' ', Enumerable.Range(0, 600).Select(i => $"word{i}"));

        var tokens = fixture.Model.Tokenize(words);
        var vector = await fixture.Model.ComputeQueryEmbeddingAsync(words);

        Assert.Equal(MiniLm.MaxTokens, tokens.Count);
        Assert.Equal(102, tokens[^1]);
        Assert.Equal(1.0, TensorPrimitives.Norm(vector), 1e-5);
    }

    [Fact]
    public async Task Empty_input_gives_no_vectors()
    {
        var vectors = await fixture.Model.ComputeSourceEmbeddingsAsync([]);

        Assert.Empty(vectors);
    }

    [Fact]
    public async Task A_cancelled_token_cancels()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Model.ComputeSourceEmbeddingsAsync(Sentences, cts.Token));
    }

    [Fact]
    public async Task Concurrent_calls_give_the_same_results()
    {
        var expected = await fixture.Model.ComputeSourceEmbeddingsAsync(Sentences);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => fixture.Model.ComputeSourceEmbeddingsAsync(Sentences))));

        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
