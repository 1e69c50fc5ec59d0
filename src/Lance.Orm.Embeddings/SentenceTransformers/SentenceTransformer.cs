using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lance.Orm.Embeddings;

/// <summary>
/// Any sentence-transformers or Hugging Face text model you bring as a folder: an ONNX export
/// (<c>onnx/model.onnx</c> or <c>model.onnx</c>), <c>tokenizer.json</c> (WordPiece, Unigram or BPE,
/// read with Microsoft.ML.Tokenizers) and, when present, sentence-transformers' <c>modules.json</c>,
/// <c>1_Pooling/config.json</c>, <c>Normalize</c> module, <c>sentence_bert_config.json</c> and
/// prompts. Registered as LanceDB's <c>sentence-transformers</c> (for any model name that does not
/// ship) and <c>huggingface</c>: a table naming a model is recreated when the folder is found — the
/// name itself as a path, or <c>{LANCE_ORM_MODEL_DIR}/{name}</c> with the directory set on the
/// registry (<see cref="EmbeddingFunctionRegistry.SetVar"/>) or in the environment.
/// </summary>
public class SentenceTransformer : IEmbeddingFunction, IDisposable
{
    /// <summary>LanceDB Python's name for sentence-transformers models.</summary>
    public const string FunctionName = "sentence-transformers";

    /// <summary>LanceDB Node's name for its transformers.js function (mean pooling, no normalisation, no prompts).</summary>
    public const string HuggingFaceFunctionName = "huggingface";

    /// <summary>The variable naming a directory that holds model folders by model name (e.g. <c>{dir}/BAAI/bge-small-en-v1.5</c>).</summary>
    public const string ModelDirectoryVariable = "LANCE_ORM_MODEL_DIR";

    private static readonly string[] HiddenStateOutputs = ["last_hidden_state", "token_embeddings"];
    private readonly SentenceTransformerOptions _options;
    private readonly HuggingFaceTokenizer _tokenizer;
    private readonly InferenceSession _session;
    private readonly string _output;
    private readonly bool _pooledOutput;
    private readonly bool _hasTokenTypes;
    private readonly bool _hasPositions;
    private readonly bool _normalize;

    /// <summary>Loads the model in <paramref name="folder"/>.</summary>
    /// <exception cref="EmbeddingException">The folder lacks a file, holds one this loader cannot read, or ONNX Runtime refuses the model.</exception>
    public SentenceTransformer(string folder, SentenceTransformerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _options = options ?? new SentenceTransformerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.IntraOpThreads, 1, nameof(options));
        var model = SentenceTransformerFolder.Read(folder);
        Folder = Path.GetFullPath(folder);
        ModelName = _options.ModelName ?? Folder;
        Pooling = _options.Pooling ?? model.Pooling;
        _normalize = _options.Normalize ?? model.NormalizeModule;
        QueryPrefix = _options.QueryPrefix ?? model.QueryPrefix;
        DocumentPrefix = _options.DocumentPrefix ?? model.DocumentPrefix;
        _tokenizer = HuggingFaceTokenizer.Load(model.TokenizerPath, _options.MaxTokens ?? model.MaxTokens);

        using var sessionOptions = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads, InterOpNumThreads = 1 };
        try
        {
            _session = new InferenceSession(model.OnnxPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new EmbeddingException($"ONNX Runtime could not load '{model.OnnxPath}': {ex.Message}", ex);
        }

        try
        {
            var inputs = _session.InputMetadata;
            if (!inputs.ContainsKey("input_ids"))
            {
                throw new EmbeddingException($"The ONNX model '{model.OnnxPath}' has no 'input_ids' input (it has {string.Join(", ", inputs.Keys)}).");
            }

            _hasTokenTypes = inputs.ContainsKey("token_type_ids");
            _hasPositions = inputs.ContainsKey("position_ids");
            var outputs = _session.OutputMetadata;
            _output = HiddenStateOutputs.FirstOrDefault(outputs.ContainsKey)
                ?? outputs.FirstOrDefault(o => o.Value.Dimensions.Length == 3).Key
                ?? (outputs.ContainsKey("sentence_embedding") ? "sentence_embedding" : null)
                ?? throw new EmbeddingException($"The ONNX model '{model.OnnxPath}' has no token-state output (last_hidden_state, token_embeddings) nor sentence_embedding.");
            _pooledOutput = outputs[_output].Dimensions.Length == 2;
            var last = outputs[_output].Dimensions[^1];
            Dimensions = last > 0 ? last : model.Dimensions ?? Embed([""], "", CancellationToken.None)[0].Length;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name => _options.FunctionName;

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public int SourceBatchSize => 256;

    /// <summary>The model folder.</summary>
    public string Folder { get; }

    /// <summary>The model name stored with tables.</summary>
    public string ModelName { get; }

    /// <summary>The pooling in use.</summary>
    public PoolingMode Pooling { get; }

    /// <summary>Whether vectors are L2-normalised.</summary>
    public bool Normalize => _normalize;

    /// <summary>What queries are prefixed with.</summary>
    public string QueryPrefix { get; }

    /// <summary>What documents are prefixed with.</summary>
    public string DocumentPrefix { get; }

    /// <summary>The tokenizer's model type (<c>WordPiece</c>, <c>Unigram</c> or <c>BPE</c>).</summary>
    public string TokenizerKind => _tokenizer.Kind;

    /// <summary>The most tokens per text, specials included.</summary>
    public int MaxTokens => _tokenizer.MaxTokens;

    /// <summary>
    /// Finds the folder of <paramref name="modelName"/>: the name itself when it is a directory, else
    /// <c>{dir}/{name}</c> or <c>{dir}/{last part of name}</c> under the directory named by
    /// <see cref="ModelDirectoryVariable"/> (looked up with <paramref name="variables"/>, then the environment).
    /// </summary>
    /// <returns>The folder, or null when none is found.</returns>
    public static string? FindFolder(string modelName, Func<string, string?>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        if (Directory.Exists(modelName))
        {
            return modelName;
        }

        var root = variables?.Invoke(ModelDirectoryVariable) ?? Environment.GetEnvironmentVariable(ModelDirectoryVariable);
        if (string.IsNullOrEmpty(root))
        {
            return null;
        }

        return new[] { modelName, modelName.Replace('/', Path.DirectorySeparatorChar), modelName[(modelName.LastIndexOf('/') + 1)..] }
            .Select(name => Path.Combine(root, name))
            .FirstOrDefault(Directory.Exists);
    }

    /// <summary>
    /// Creates the function a table stored: LanceDB Python's <c>sentence-transformers</c> options
    /// (<c>name</c>, <c>normalize</c>; <c>device</c> ignored) or, with
    /// <paramref name="functionName"/> <c>huggingface</c>, LanceDB Node's (<c>model</c>).
    /// </summary>
    /// <exception cref="EmbeddingException">The model's folder is not found, or cannot be loaded.</exception>
    public static SentenceTransformer FromConfiguration(string functionName, JsonObject? configuration, Func<string, string?>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        var huggingFace = functionName == HuggingFaceFunctionName;
        string name;
        bool normalize;
        try
        {
            name = (string?)configuration?[huggingFace ? "model" : "name"] ?? (huggingFace ? "Xenova/all-MiniLM-L6-v2" : MiniLmOptions.DefaultModelName);
            normalize = !huggingFace && ((bool?)configuration?["normalize"] ?? true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            throw new EmbeddingException($"Invalid {functionName} configuration {configuration?.ToJsonString()}: {ex.Message}", ex);
        }

        var folder = FindFolder(name, variables)
            ?? throw new EmbeddingException(
                $"The {functionName} model '{name}' is not one that ships and its folder was not found: put the model (ONNX export, tokenizer.json, " +
                $"sentence-transformers config) in {{{ModelDirectoryVariable}}}/{name} and set {ModelDirectoryVariable} with registry.SetVar or in the environment.");
        var options = huggingFace
            ? new SentenceTransformerOptions { FunctionName = functionName, ModelName = name, Normalize = false, Pooling = PoolingMode.Mean, QueryPrefix = "", DocumentPrefix = "" }
            : new SentenceTransformerOptions { FunctionName = functionName, ModelName = name, Normalize = normalize };
        return new SentenceTransformer(folder, options);
    }

    /// <inheritdoc />
    public JsonObject GetConfiguration() => Name == HuggingFaceFunctionName
        ? new JsonObject { ["model"] = ModelName }
        : new JsonObject { ["name"] = ModelName, ["device"] = "cpu", ["normalize"] = _normalize };

    /// <summary>Token ids as the model sees them (specials included, truncated).</summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.Encode(text);
    }

    /// <inheritdoc />
    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return Run(() => Embed(sources, DocumentPrefix, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Run(() => Embed([query], QueryPrefix, cancellationToken)[0], cancellationToken);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the session; override to release what a derived class holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _session.Dispose();
        }
    }

    private static Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        try
        {
            return Task.FromResult(work());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        catch (Exception ex) when (ex is EmbeddingException or ArgumentException or ObjectDisposedException)
        {
            return Task.FromException<T>(ex);
        }
    }

    private float[][] Embed(IReadOnlyList<string> texts, string prefix, CancellationToken cancellationToken)
    {
        var tokens = new int[texts.Count][];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = _tokenizer.Encode(prefix + (texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts))));
        }

        // Texts of similar length run together so that little padding is computed; padding is masked, so results do not depend on the batch.
        var order = Enumerable.Range(0, tokens.Length).OrderBy(i => tokens[i].Length).ToArray();
        var result = new float[tokens.Length][];
        for (var start = 0; start < order.Length; start += _options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunBatch(tokens, order.AsSpan(start, Math.Min(_options.MaxBatchSize, order.Length - start)).ToArray(), result);
        }

        return result;
    }

    private void RunBatch(int[][] tokens, int[] batch, float[][] result)
    {
        var rows = batch.Length;
        var seq = Math.Max(1, batch.Max(i => tokens[i].Length));
        var ids = new DenseTensor<long>([rows, seq]);
        var mask = new DenseTensor<long>([rows, seq]);
        for (var r = 0; r < rows; r++)
        {
            var row = tokens[batch[r]];
            for (var t = 0; t < seq; t++)
            {
                ids[r, t] = t < row.Length ? row[t] : _tokenizer.PadId;
                mask[r, t] = t < row.Length ? 1 : 0;
            }
        }

        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input_ids", ids) };
        if (_session.InputMetadata.ContainsKey("attention_mask"))
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("attention_mask", mask));
        }

        if (_hasTokenTypes)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>([rows, seq])));
        }

        if (_hasPositions)
        {
            var positions = new DenseTensor<long>([rows, seq]);
            for (var r = 0; r < rows; r++)
            {
                for (var t = 0; t < seq; t++)
                {
                    positions[r, t] = t;
                }
            }

            inputs.Add(NamedOnnxValue.CreateFromTensor("position_ids", positions));
        }

        float[] states;
        int dims;
        try
        {
            using var outputs = _session.Run(inputs, [_output]);
            var tensor = outputs[0].AsTensor<float>();
            states = tensor.ToArray();
            dims = tensor.Dimensions[^1];
        }
        catch (OnnxRuntimeException ex)
        {
            throw new EmbeddingException($"Inference with '{ModelName}' failed: {ex.Message}", ex);
        }

        for (var r = 0; r < rows; r++)
        {
            var length = tokens[batch[r]].Length;
            var vector = _pooledOutput ? states.AsSpan(r * dims, dims).ToArray() : Pool(states.AsSpan(r * seq * dims, seq * dims), length, dims);
            if (_normalize)
            {
                TensorPrimitives.Divide(vector, MathF.Max(TensorPrimitives.Norm(vector), 1e-12f), vector);
            }

            result[batch[r]] = vector;
        }
    }

    private float[] Pool(ReadOnlySpan<float> states, int length, int dims)
    {
        var vector = new float[dims];
        if (length == 0)
        {
            return vector;
        }

        switch (Pooling)
        {
            case PoolingMode.Cls:
                states[..dims].CopyTo(vector);
                break;
            case PoolingMode.LastToken:
                states.Slice((length - 1) * dims, dims).CopyTo(vector);
                break;
            case PoolingMode.Max:
                states[..dims].CopyTo(vector);
                for (var t = 1; t < length; t++)
                {
                    TensorPrimitives.Max(vector, states.Slice(t * dims, dims), vector);
                }

                break;
            default:
                for (var t = 0; t < length; t++)
                {
                    TensorPrimitives.Add(vector, states.Slice(t * dims, dims), vector);
                }

                TensorPrimitives.Divide(vector, Pooling == PoolingMode.MeanSqrtLength ? MathF.Sqrt(length) : length, vector);
                break;
        }

        return vector;
    }
}
