using System.Text.Json.Nodes;

namespace Lance.Orm;

/// <summary>
/// Turns source values (text, or image URIs for image functions) into vectors, for rows on insert and for queries at search
/// time. Implementations are registered by name in <see cref="EmbeddingFunctionRegistry"/> so that a
/// table re-creates its function when it is opened again.
/// </summary>
public interface IEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it (e.g. <c>sentence-transformers</c>).</summary>
    string Name { get; }

    /// <summary>The number of floats in each embedding.</summary>
    int Dimensions { get; }

    /// <summary>
    /// How many source values a table hands to <see cref="ComputeSourceEmbeddingsAsync"/> per call
    /// (256 unless the function says otherwise): progress is reported and cancellation observed
    /// between calls, and a remote function sends one request per call. Local models batch inside
    /// a call as suits them (MiniLM sorts by length so that little padding is computed).
    /// </summary>
    int SourceBatchSize => 256;

    /// <summary>
    /// The configuration that re-creates this function, stored in the table's schema metadata as
    /// LanceDB's <c>model</c> object (e.g. <c>{"name": "all-MiniLM-L6-v2"}</c>). Never holds secrets.
    /// </summary>
    JsonObject GetConfiguration();

    /// <summary>Embeds source values (one batch; the caller splits large inputs).</summary>
    Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default);

    /// <summary>
    /// Embeds source values (one batch) into <paramref name="target"/>: vector <c>i</c> goes to
    /// <see cref="EmbeddingTarget.Vector(int)"/>. Tables call this when adding rows; the target is the
    /// Arrow buffer that is written to the file, so a function that produces its vectors in a buffer
    /// of its own (a model's output tensor) should override this and write there, copying each vector
    /// once. The default calls <see cref="ComputeSourceEmbeddingsAsync"/> and copies.
    /// </summary>
    /// <exception cref="EmbeddingException">The function returned the wrong number of vectors, or a vector of the wrong length.</exception>
    async Task ComputeSourceEmbeddingsIntoAsync(IReadOnlyList<string> sources, EmbeddingTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.SetAll(await ComputeSourceEmbeddingsAsync(sources, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Embeds a query (some models treat queries differently from documents).</summary>
    Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default);
}
