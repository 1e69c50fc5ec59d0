using System.Numerics.Tensors;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>Reference values from sentence-transformers' all-MiniLM-L6-v2 (see shared MODELS.md).</summary>
[Collection(MiniLmCollection.Name)]
public sealed class GoldenTests(MiniLmFixture fixture)
{
    private const double Tolerance = 1e-3;

    [Fact]
    public async Task Quick_start_sentences_have_the_reference_cosine_similarities()
    {
        var vectors = await fixture.Model.ComputeSourceEmbeddingsAsync(
            ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]);

        Assert.Equal(0.6660, TensorPrimitives.CosineSimilarity(vectors[0], vectors[1]), Tolerance);
        Assert.Equal(0.1046, TensorPrimitives.CosineSimilarity(vectors[0], vectors[2]), Tolerance);
        Assert.Equal(0.1411, TensorPrimitives.CosineSimilarity(vectors[1], vectors[2]), Tolerance);
    }

    [Fact]
    public void Hello_world_tokenizes_to_the_reference_ids()
    {
        Assert.Equal([101, 7592, 2088, 999, 102], fixture.Model.Tokenize("Hello world!"));
    }

    [Fact]
    public void Accents_are_stripped_before_word_pieces()
    {
        Assert.Equal([101, 15743, 7668, 102], fixture.Model.Tokenize("naïve café"));
    }

    [Fact]
    public void A_dog_is_closer_to_a_puppy_than_to_a_car()
    {
        var dog = fixture.Embed("a dog");
        var puppy = fixture.Embed("a puppy");
        var car = fixture.Embed("a car");

        Assert.Equal(0.769, TensorPrimitives.Dot(dog, puppy), 0.01);
        Assert.Equal(0.333, TensorPrimitives.Dot(dog, car), 0.01);
    }
}
