using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lance.Orm.Embeddings;

/// <summary>
/// Reranks with a cross-encoder the user supplies as an ONNX model folder (a Hugging Face
/// sequence-classification export such as <c>cross-encoder/ms-marco-MiniLM-L-6-v2</c>:
/// <c>model.onnx</c> or <c>onnx/model.onnx</c>, and <c>tokenizer.json</c> or a BERT <c>vocab.txt</c>),
/// as LanceDB's <c>CrossEncoderReranker</c> does: each row's text column is read with the query as a
/// pair, the model's logit (after its activation) is the row's <c>_relevance_score</c>, and rows are
/// sorted by it. In a hybrid search the two lists are merged first, each row once.
/// </summary>
public sealed class CrossEncoderReranker : IReranker, IDisposable
{
    private static readonly string[] OnnxCandidates = ["onnx/model.onnx", "model.onnx"];
    private readonly CrossEncoderOptions _options;
    private readonly HuggingFaceTokenizer _tokenizer;
    private readonly InferenceSession _session;
    private readonly string _output;
    private readonly bool _hasTokenTypes;
    private readonly bool _hasMask;

    /// <summary>Loads the model in <paramref name="folder"/>.</summary>
    /// <exception cref="EmbeddingException">The folder lacks the model or tokenizer, a file is malformed, or ONNX Runtime refuses the model.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size in <paramref name="options"/> is not positive.</exception>
    public CrossEncoderReranker(string folder, CrossEncoderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _options = options ?? new CrossEncoderOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.Column, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.IntraOpThreads, 1, nameof(options));
        if (!Directory.Exists(folder))
        {
            throw new EmbeddingException($"The cross-encoder folder '{folder}' does not exist.");
        }

        Folder = Path.GetFullPath(folder);
        var onnx = OnnxCandidates.Select(p => Path.Combine(folder, p)).FirstOrDefault(File.Exists)
            ?? throw new EmbeddingException($"The cross-encoder folder '{folder}' has no ONNX export (onnx/model.onnx or model.onnx); export the model to ONNX first (e.g. with Optimum).");
        _tokenizer = LoadTokenizer(folder, _options.MaxTokens);
        var config = ReadConfig(folder);

        using var sessionOptions = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads, InterOpNumThreads = 1 };
        try
        {
            _session = new InferenceSession(onnx, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new EmbeddingException($"ONNX Runtime could not load '{onnx}': {ex.Message}", ex);
        }

        try
        {
            var inputs = _session.InputMetadata;
            if (!inputs.ContainsKey("input_ids"))
            {
                throw new EmbeddingException($"The cross-encoder '{onnx}' has no 'input_ids' input (it has {string.Join(", ", inputs.Keys)}).");
            }

            _hasTokenTypes = inputs.ContainsKey("token_type_ids");
            _hasMask = inputs.ContainsKey("attention_mask");
            var outputs = _session.OutputMetadata;
            _output = outputs.ContainsKey("logits") ? "logits" : outputs.Keys.First();
            var dims = outputs[_output].Dimensions;
            if (dims.Length != 2)
            {
                throw new EmbeddingException($"The cross-encoder '{onnx}' output '{_output}' has {dims.Length} dimensions; a sequence classifier's logits are [batch, labels].");
            }

            Labels = dims[1] > 0 ? dims[1] : config.Labels ?? 1; // checked again against each run's output
            Activation = _options.Activation ?? config.Activation ?? (Labels == 1 ? CrossEncoderActivation.Sigmoid : CrossEncoderActivation.Identity);
            LabelIndex = _options.LabelIndex ?? Labels - 1;
            if (LabelIndex < 0 || LabelIndex >= Labels)
            {
                throw new EmbeddingException($"The cross-encoder '{onnx}' has {Labels} labels; label {LabelIndex} does not exist.");
            }
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The model folder.</summary>
    public string Folder { get; }

    /// <summary>The column whose text is scored against the query.</summary>
    public string Column => _options.Column;

    /// <summary>How many labels the model's logits have.</summary>
    public int Labels { get; }

    /// <summary>The label whose logit is the relevance.</summary>
    public int LabelIndex { get; }

    /// <summary>The activation applied to the logit.</summary>
    public CrossEncoderActivation Activation { get; }

    /// <summary>Scores each of <paramref name="passages"/> against <paramref name="query"/> (higher is more relevant).</summary>
    /// <exception cref="EmbeddingException">Inference failed.</exception>
    public Task<float[]> ScoreAsync(string query, IReadOnlyList<string?> passages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(passages);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<float[]>(cancellationToken);
        }

        try
        {
            return Task.FromResult(Score(query, passages, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<float[]>(cancellationToken);
        }
        catch (Exception ex) when (ex is EmbeddingException or ObjectDisposedException)
        {
            return Task.FromException<float[]>(ex);
        }
    }

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
                $"The cross-encoder reranker scores rows against query text, and this search has none (it was by vector); pass the text with .Rerank(reranker, \"your question\").",
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

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"CrossEncoderReranker({Folder}, column '{Column}')";

    private async Task<RecordBatch> RerankAsync(string query, RecordBatch results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        var index = results.Schema.GetFieldIndex(Column);
        if (index < 0 || results.Column(index) is not StringArray texts)
        {
            throw new LanceSchemaException(
                $"The cross-encoder reranker reads the text column '{Column}', which the results {(index < 0 ? "lack" : "hold with another type than string")}; columns: {string.Join(", ", results.Schema.FieldsList.Select(f => f.Name))}. Select it, or set CrossEncoderOptions.Column.");
        }

        var passages = Enumerable.Range(0, texts.Length).Select(i => texts.GetString(i)).ToArray();
        var scores = await ScoreAsync(query, passages, cancellationToken).ConfigureAwait(false);
        return RerankResults.WithRelevance(results, scores);
    }

    private float[] Score(string query, IReadOnlyList<string?> passages, CancellationToken cancellationToken)
    {
        var queryTokens = _tokenizer.EncodeRaw(query);
        var pairs = passages.Select(p => _tokenizer.EncodePair(queryTokens, p ?? "")).ToArray();
        var scores = new float[pairs.Length];

        // Pairs of similar length run together, so little padding is computed; padding is masked.
        var order = Enumerable.Range(0, pairs.Length).OrderBy(i => pairs[i].Ids.Length).ToArray();
        for (var start = 0; start < order.Length; start += _options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunBatch(pairs, order.AsSpan(start, Math.Min(_options.MaxBatchSize, order.Length - start)), scores);
        }

        return scores;
    }

    private void RunBatch((int[] Ids, int[] TypeIds)[] pairs, ReadOnlySpan<int> batch, float[] scores)
    {
        var rows = batch.Length;
        var seq = 1;
        foreach (var i in batch)
        {
            seq = Math.Max(seq, pairs[i].Ids.Length);
        }

        var ids = new DenseTensor<long>([rows, seq]);
        var mask = new DenseTensor<long>([rows, seq]);
        var types = new DenseTensor<long>([rows, seq]);
        for (var r = 0; r < rows; r++)
        {
            var (rowIds, rowTypes) = pairs[batch[r]];
            for (var t = 0; t < seq; t++)
            {
                var real = t < rowIds.Length;
                ids[r, t] = real ? rowIds[t] : _tokenizer.PadId;
                mask[r, t] = real ? 1 : 0;
                types[r, t] = real ? rowTypes[t] : 0;
            }
        }

        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input_ids", ids) };
        if (_hasMask)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("attention_mask", mask));
        }

        if (_hasTokenTypes)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", types));
        }

        float[] logits;
        int labels;
        try
        {
            using var outputs = _session.Run(inputs, [_output]);
            var tensor = outputs[0].AsTensor<float>();
            logits = tensor.ToArray();
            labels = tensor.Dimensions[1];
        }
        catch (OnnxRuntimeException ex)
        {
            throw new EmbeddingException($"Inference with the cross-encoder '{Folder}' failed: {ex.Message}", ex);
        }

        if (LabelIndex >= labels)
        {
            throw new EmbeddingException($"The cross-encoder '{Folder}' gave {labels} logits per pair; label {LabelIndex} does not exist (set CrossEncoderOptions.LabelIndex).");
        }

        for (var r = 0; r < rows; r++)
        {
            var logit = logits[(r * labels) + LabelIndex];
            scores[batch[r]] = Activation == CrossEncoderActivation.Sigmoid ? 1f / (1f + MathF.Exp(-logit)) : logit;
        }
    }

    private static HuggingFaceTokenizer LoadTokenizer(string folder, int? maxTokens)
    {
        var json = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(json))
        {
            return HuggingFaceTokenizer.Load(json, maxTokens);
        }

        var vocab = Path.Combine(folder, "vocab.txt");
        if (File.Exists(vocab))
        {
            var lowercase = ReadJson(folder, "tokenizer_config.json") is JsonObject config && config["do_lower_case"] is { } flag ? (bool)flag : true;
            return HuggingFaceTokenizer.LoadBertVocab(vocab, lowercase, maxTokens);
        }

        throw new EmbeddingException($"The cross-encoder folder '{folder}' has no tokenizer.json nor vocab.txt.");
    }

    private static (int? Labels, CrossEncoderActivation? Activation) ReadConfig(string folder)
    {
        if (ReadJson(folder, "config.json") is not JsonObject config)
        {
            return (null, null);
        }

        int? labels = config["id2label"] is JsonObject id2label ? id2label.Count : (int?)config["num_labels"];
        var name = (string?)config["sentence_transformers"]?["activation_fn"] ?? (string?)config["sbert_ce_default_activation_function"];
        CrossEncoderActivation? activation = name switch
        {
            null => null,
            _ when name.EndsWith(".Sigmoid", StringComparison.Ordinal) => CrossEncoderActivation.Sigmoid,
            _ when name.EndsWith(".Identity", StringComparison.Ordinal) => CrossEncoderActivation.Identity,
            _ => throw new EmbeddingException($"The cross-encoder in '{folder}' uses the activation '{name}'; Sigmoid and Identity are supported (set CrossEncoderOptions.Activation to override)."),
        };
        return (labels, activation);
    }

    private static JsonNode? ReadJson(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new EmbeddingException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
