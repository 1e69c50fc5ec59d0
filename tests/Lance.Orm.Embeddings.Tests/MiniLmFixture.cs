using Lance.Orm.Embeddings;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>One loaded model shared by the tests that run it (loading takes about a second).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLm Model { get; } = new();

    public float[] Embed(string text) => Model.ComputeQueryEmbeddingAsync(text).GetAwaiter().GetResult();

    public void Dispose() => Model.Dispose();
}

[CollectionDefinition(Name)]
public sealed class MiniLmCollection : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "MiniLm";
}
