using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;

namespace Lance.Orm.Embeddings;

/// <summary>
/// Image-only embeddings from ImageNet-trained ResNet-18 (512 floats: the global-average-pooled
/// features), for image-to-image similarity. The weights ship (Microsoft.ML.DnnImageFeaturizer.ResNet18,
/// MIT) and are copied next to the application. There is no text tower: text queries are refused.
/// Images are resized (shorter side, bicubic) and centre-cropped to 224 × 224, then go through the
/// package's own preprocessing model (RGB 0..255 → BGR minus the ImageNet mean) and the network.
/// </summary>
[EmbeddingFunction(FunctionName, Dimensions = ModelDimensions)]
public class ResNet18 : IImageEmbeddingFunction, IDisposable
{
    /// <summary>
    /// The registry name: a Lance.Orm-only function (LanceDB registers no ResNet), so the name says so;
    /// LanceDB cannot recreate it and opens such tables without their function.
    /// </summary>
    public const string FunctionName = "lance-orm-resnet18";

    /// <summary>The name tables written by older Lance.Orm versions store; still registered, so they open as before.</summary>
    public const string LegacyFunctionName = "resnet18";

    /// <summary>The embedding size.</summary>
    public const int ModelDimensions = 512;

    /// <summary>The network's input size.</summary>
    public const int ImageSize = 224;

    /// <summary>The folder under the application's base directory holding the two ONNX files.</summary>
    public const string ModelFolder = "DnnImageModels";

    private const string PrepFile = "ResNetPreprocess.onnx";
    private const string NetworkFile = "ResNet18.onnx";

    private readonly string? _modelFolder;
    private readonly bool _normalize;
    private readonly Lock _gate = new();
    private (InferenceSession Prep, InferenceSession Network, string PrepIn, string PrepOut, string NetIn, string NetOut)? _sessions;
    private bool _disposed;

    /// <summary>The model with L2-normalised outputs, read from the application's folder.</summary>
    public ResNet18()
        : this(null, normalize: true)
    {
    }

    /// <summary>The model read from <paramref name="modelFolder"/> (the application's <c>DnnImageModels</c> when null).</summary>
    public ResNet18(string? modelFolder, bool normalize = true)
    {
        _modelFolder = modelFolder;
        _normalize = normalize;
    }

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public int Dimensions => ModelDimensions;

    /// <inheritdoc />
    /// <remarks>The network takes one image per run; 16 per call keeps progress reports frequent.</remarks>
    public int SourceBatchSize => 16;

    /// <summary>Creates the function from stored configuration (<c>normalize</c>, optional <c>model_path</c>).</summary>
    /// <exception cref="EmbeddingException">A key has the wrong type.</exception>
    public static ResNet18 FromConfiguration(JsonObject? configuration)
    {
        try
        {
            return new ResNet18(configuration?["model_path"]?.GetValue<string>(), configuration?["normalize"]?.GetValue<bool>() ?? true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            throw new EmbeddingException($"Invalid {FunctionName} configuration {configuration?.ToJsonString()}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public JsonObject GetConfiguration()
    {
        var config = new JsonObject { ["name"] = "resnet18", ["normalize"] = _normalize };
        if (_modelFolder is not null)
        {
            config["model_path"] = _modelFolder;
        }

        return config;
    }

    /// <summary>Embeds images named by URIs (paths, <c>file:</c> or <c>http(s):</c>).</summary>
    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return ComputeImageEmbeddingsAsync(sources.Select(Image.FromUri).ToArray(), cancellationToken);
    }

    /// <summary>Always throws: ResNet-18 has no text tower.</summary>
    /// <exception cref="EmbeddingException">Always.</exception>
    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
        => Task.FromException<float[]>(new EmbeddingException(
            $"The {FunctionName} embedding function embeds images only; search with Search(Image.FromFile(path)) or use open-clip for text queries."));

    /// <inheritdoc />
    public async Task<float[][]> ComputeImageEmbeddingsAsync(IReadOnlyList<Image> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var sessions = GetSessions();
        var result = new float[images.Count][];
        var pixels = new float[3 * ImageSize * ImageSize];
        for (var i = 0; i < images.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = await images[i].ReadAsync(null, cancellationToken).ConfigureAwait(false);
            var (rgb, width, height) = ClipImagePreprocessor.Decode(bytes.Span, images[i].Description);
            ClipImagePreprocessor.ResizeCropPlanar(rgb, width, height, ImageSize, pixels, static (_, value) => value);
            result[i] = Run(sessions, pixels);
        }

        return result;
    }

    /// <summary>Releases the sessions. Do not dispose while calls are in flight.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the sessions; override to release what a derived class holds.</summary>
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
            _sessions?.Prep.Dispose();
            _sessions?.Network.Dispose();
            _sessions = null;
        }
    }

    private float[] Run((InferenceSession Prep, InferenceSession Network, string PrepIn, string PrepOut, string NetIn, string NetOut) s, float[] pixels)
    {
        try
        {
            using var runOptions = new RunOptions();
            using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, ImageSize, ImageSize]);
            using var prepared = s.Prep.Run(runOptions, [s.PrepIn], [input], [s.PrepOut]);
            using var features = s.Network.Run(runOptions, [s.NetIn], [prepared[0]], [s.NetOut]);
            var vector = features[0].GetTensorDataAsSpan<float>().ToArray();
            if (_normalize)
            {
                TensorPrimitives.Divide(vector, MathF.Max(TensorPrimitives.Norm(vector), 1e-12f), vector);
            }

            return vector;
        }
        catch (OnnxRuntimeException ex)
        {
            throw new EmbeddingException($"ResNet-18 inference failed: {ex.Message}", ex);
        }
    }

    private (InferenceSession Prep, InferenceSession Network, string PrepIn, string PrepOut, string NetIn, string NetOut) GetSessions()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sessions is { } loaded)
            {
                return loaded;
            }

            var folder = _modelFolder ?? Path.Combine(AppContext.BaseDirectory, ModelFolder);
            var prepPath = Path.Combine(folder, PrepFile);
            var networkPath = Path.Combine(folder, NetworkFile);
            if (!File.Exists(prepPath) || !File.Exists(networkPath))
            {
                throw new EmbeddingException(
                    $"The ResNet-18 weights were not found in '{folder}' ({PrepFile}, {NetworkFile}). They ship in the NuGet package " +
                    "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, which Lance.Orm.Embeddings copies next to your application; " +
                    "reference Lance.Orm.Embeddings from the project that builds the application, or pass the folder.");
            }

            using var options = new SessionOptions { InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            InferenceSession? prep = null;
            try
            {
                prep = new InferenceSession(prepPath, options);
                var network = new InferenceSession(networkPath, options);
                var sessions = (prep, network, prep.InputMetadata.Keys.First(), prep.OutputMetadata.Keys.First(), network.InputMetadata.Keys.First(), network.OutputMetadata.Keys.First());
                _sessions = sessions;
                return sessions;
            }
            catch (OnnxRuntimeException ex)
            {
                prep?.Dispose();
                throw new EmbeddingException($"ONNX Runtime could not load ResNet-18 from '{folder}': {ex.Message}", ex);
            }
        }
    }
}
