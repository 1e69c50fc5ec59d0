using System.Globalization;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Microsoft.Extensions.AI;

namespace Lance.Orm;

/// <summary>
/// Reranks by asking a chat model (any <see cref="IChatClient"/> of Microsoft.Extensions.AI) how
/// relevant each row's text is to the query, as LanceDB's prompt-based OpenAI reranker does: one
/// request per reranking, the rows numbered in it, a JSON reply with a score from 0 to 1 per row,
/// which becomes its <c>_relevance_score</c>. Rows are matched by number, never by their text, so a
/// model that reorders or rewrites them cannot misplace a score. A prompt-based ranker is slower and
/// less repeatable than a cross-encoder; prefer one where it fits.
/// </summary>
public sealed class ChatClientReranker : IReranker
{
    /// <summary>The instructions sent as the system message.</summary>
    public const string Instructions =
        "You are an expert relevance ranker. Given a query and numbered documents, rate how relevant each document is "
        + "for answering the query, from 0.0 (irrelevant) to 1.0 (answers it fully). Reply with JSON only, in the form "
        + "{\"scores\": [{\"index\": <document number>, \"relevance_score\": <0.0 to 1.0>}]}, with one entry for every document.";

    private readonly IChatClient _client;

    /// <summary>Creates the reranker.</summary>
    /// <param name="client">The chat client (its model chosen where it was built, or with <paramref name="modelId"/>).</param>
    /// <param name="column">The text column each row is judged by (LanceDB's default <c>"text"</c>).</param>
    /// <param name="modelId">The model to ask, when the client serves several; null for its default.</param>
    public ChatClientReranker(IChatClient client, string column = "text", string? modelId = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        _client = client;
        Column = column;
        ModelId = modelId;
    }

    /// <summary>The text column each row is judged by.</summary>
    public string Column { get; }

    /// <summary>The model asked, or null for the client's default.</summary>
    public string? ModelId { get; }

    /// <inheritdoc/>
    public async Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await RerankAsync(query, RerankResults.Merge(vectorResults, fullTextResults), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">There is no query text (a search by vector): pass it to <c>.Rerank(reranker, "text")</c>.</exception>
    public Task<RecordBatch> RerankVectorAsync(string? query, RecordBatch vectorResults, CancellationToken cancellationToken = default)
    {
        if (query is null)
        {
            throw new ArgumentException(
                "The chat reranker judges rows against query text, and this search has none (it was by vector); pass the text with .Rerank(reranker, \"your question\").",
                nameof(query));
        }

        return RerankAsync(query, vectorResults, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<RecordBatch> RerankFullTextAsync(string query, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return RerankAsync(query, fullTextResults, cancellationToken);
    }

    /// <inheritdoc/>
    public override string ToString() => $"ChatClientReranker({ModelId ?? "default model"}, column '{Column}')";

    /// <summary>The user message for <paramref name="query"/> and <paramref name="documents"/>: JSON, the documents numbered from 0.</summary>
    internal static string Prompt(string query, IReadOnlyList<string?> documents)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("query", query);
            json.WriteStartArray("documents");
            for (var i = 0; i < documents.Count; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("index", i);
                json.WriteString("content", documents[i] ?? "");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private async Task<RecordBatch> RerankAsync(string query, RecordBatch results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        var index = results.Schema.GetFieldIndex(Column);
        if (index < 0 || results.Column(index) is not StringArray texts)
        {
            throw new LanceSchemaException(
                $"The chat reranker reads the text column '{Column}', which the results {(index < 0 ? "lack" : "hold with another type than string")}; columns: {string.Join(", ", results.Schema.FieldsList.Select(f => f.Name))}.");
        }

        if (results.Length == 0)
        {
            return RerankResults.WithRelevance(results, []);
        }

        var documents = Enumerable.Range(0, texts.Length).Select(i => texts.GetString(i)).ToArray();
        var options = new ChatOptions { Temperature = 0, ResponseFormat = ChatResponseFormat.Json, ModelId = ModelId };
        var response = await _client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, Prompt(query, documents))],
            options,
            cancellationToken).ConfigureAwait(false);
        return RerankResults.WithRelevance(results, Parse(response.Text, documents.Length));
    }

    /// <summary>The scores in a model's reply, by document number.</summary>
    /// <exception cref="LanceException">The reply is not the JSON asked for, or misses a document.</exception>
    internal float[] Parse(string reply, int count)
    {
        var scores = new float?[count];
        try
        {
            using var doc = JsonDocument.Parse(StripFence(reply));
            foreach (var entry in doc.RootElement.GetProperty("scores").EnumerateArray())
            {
                var i = entry.GetProperty("index").GetInt32();
                if (i < 0 || i >= count)
                {
                    throw new LanceException($"{this} got a score for document {i}, but only documents 0 to {count - 1} were sent. Reply: {Shorten(reply)}");
                }

                scores[i] = entry.GetProperty("relevance_score").GetSingle();
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LanceException($"{this} could not read the model's reply as {{\"scores\": [{{\"index\", \"relevance_score\"}}]}}: {ex.Message}. Reply: {Shorten(reply)}", ex);
        }

        var missing = Enumerable.Range(0, count).Where(i => scores[i] is null).ToList();
        if (missing.Count > 0)
        {
            throw new LanceException(
                $"{this}: the model gave no score for document(s) {string.Join(", ", missing.Select(i => i.ToString(CultureInfo.InvariantCulture)))} of {count}. Reply: {Shorten(reply)}");
        }

        return scores.Select(s => s!.Value).ToArray();
    }

    // Models sometimes wrap JSON in a Markdown code fence despite being asked not to.
    private static string StripFence(string reply)
    {
        var text = reply.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal))
        {
            return text;
        }

        var start = text.IndexOf('\n', StringComparison.Ordinal);
        var end = text.LastIndexOf("```", StringComparison.Ordinal);
        return start >= 0 && end > start ? text[(start + 1)..end] : text;
    }

    private static string Shorten(string reply) => reply.Length <= 300 ? reply : reply[..300] + "…";
}
