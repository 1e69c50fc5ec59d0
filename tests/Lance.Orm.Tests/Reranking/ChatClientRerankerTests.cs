using System.Text.Json;
using Apache.Arrow;
using Microsoft.Extensions.AI;
using static Lance.Orm.Tests.Reranking.ResultBatches;

namespace Lance.Orm.Tests.Reranking;

public sealed class ChatClientRerankerTests
{
    [Fact]
    public async Task Rows_are_sent_numbered_and_sorted_by_the_scores_the_model_gives_them()
    {
        // The model scores by how many query words a document holds, and replies in shuffled order.
        var client = new ScriptedChatClient(request =>
        {
            using var doc = JsonDocument.Parse(request);
            var words = doc.RootElement.GetProperty("query").GetString()!.Split(' ');
            var scores = doc.RootElement.GetProperty("documents").EnumerateArray()
                .Select(d => (Index: d.GetProperty("index").GetInt32(), Score: words.Count(w => d.GetProperty("content").GetString()!.Contains(w, StringComparison.Ordinal)) / 2.0))
                .Reverse()
                .Select(s => $"{{\"index\": {s.Index}, \"relevance_score\": {s.Score}}}");
            return $"{{\"scores\": [{string.Join(", ", scores)}]}}";
        });
        var reranker = new ChatClientReranker(client, column: "name", modelId: "judge-1");

        var fused = await reranker.RerankHybridAsync("row 2", Vector((1, 0f), (2, 0.5f)), FullText((3, 1f)));

        Assert.Equal([2UL, 1, 3], Ids(fused));
        Assert.Equal([1f, 0.5f, 0.5f], Relevance(fused));
        Assert.Equal("judge-1", client.Options!.ModelId);
        Assert.Equal(0f, client.Options.Temperature);
        Assert.Equal(ChatRole.System, client.Messages![0].Role);
        Assert.Equal(ChatClientReranker.Instructions, client.Messages[0].Text);
    }

    [Fact]
    public async Task A_reply_in_a_code_fence_is_read()
    {
        var client = new ScriptedChatClient(_ => "```json\n{\"scores\": [{\"index\": 0, \"relevance_score\": 0.25}]}\n```");

        var ranked = await new ChatClientReranker(client, "name").RerankVectorAsync("q", Vector((9, 0f)));

        Assert.Equal([0.25f], Relevance(ranked));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"scores\": [{\"index\": 0, \"relevance_score\": 0.5}]}")]
    [InlineData("{\"scores\": [{\"index\": 5, \"relevance_score\": 0.5}]}")]
    [InlineData("{\"ranking\": []}")]
    public async Task A_reply_that_misses_or_misplaces_a_row_fails_quoting_it(string reply)
    {
        var reranker = new ChatClientReranker(new ScriptedChatClient(_ => reply), "name");

        var error = await Assert.ThrowsAsync<LanceException>(() => reranker.RerankVectorAsync("q", Vector((1, 0f), (2, 1f))));

        Assert.Contains(reply, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_by_vector_without_text_is_refused_before_calling_the_model()
    {
        var client = new ScriptedChatClient(_ => throw new InvalidOperationException("must not be called"));

        await Assert.ThrowsAsync<ArgumentException>(() => new ChatClientReranker(client, "name").RerankVectorAsync(null, Vector((1, 0f))));
    }

    private sealed class ScriptedChatClient(Func<string, string> reply) : IChatClient
    {
        public ChatOptions? Options { get; private set; }

        public IList<ChatMessage>? Messages { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Messages = messages.ToList();
            Options = options;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply(Messages[^1].Text))));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
