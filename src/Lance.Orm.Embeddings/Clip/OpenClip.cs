using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// OpenCLIP text and image embeddings in one space, from an ONNX export of its two towers, run with
/// ONNX Runtime. Registered as LanceDB's <c>open-clip</c> function: a <c>[Source]</c> of image URIs
/// (or bytes) is embedded with the vision tower, <c>Search("dog")</c> with the text tower and
/// <c>Search(Image.FromFile(path))</c> with the vision tower. No CLIP weights ship with this package:
/// point <see cref="OpenClipOptions.ModelPath"/> at an export, or give a
/// <see cref="OpenClipOptions.DownloadUrl"/> to fetch it on first use into a local cache.
/// Derive from it to name your model type: <c>class Clip : OpenClip {}</c>.
/// </summary>
[EmbeddingFunction(FunctionName, Dimensions = 512)]
public class OpenClip : IImageEmbeddingFunction, IDisposable
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "open-clip";

    /// <summary>The text tower's file name in an export.</summary>
    public const string TextModelFile = "textual.onnx";

    /// <summary>The vision tower's file name in an export.</summary>
    public const string VisionModelFile = "visual.onnx";

    /// <summary>The BPE merges file name in an export.</summary>
    public const string MergesFile = "merges.txt";

    /// <summary>The (optional) vocabulary file name in an export.</summary>
    public const string VocabFile = "vocab.json";

    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
    private readonly OpenClipOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OpenClipModel? _model;
    private bool _disposed;

    /// <summary>ViT-B-32 from the export folder named by <c>LANCE_ORM_OPEN_CLIP_PATH</c>, or from the cache.</summary>
    public OpenClip()
        : this(new OpenClipOptions { ModelPath = Environment.GetEnvironmentVariable("LANCE_ORM_OPEN_CLIP_PATH") })
    {
    }

    /// <summary>A function with the given options. Loads (or downloads) nothing until first used.</summary>
    public OpenClip(OpenClipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ModelName, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1, nameof(options));
        _options = options;
    }

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    /// <remarks>When not configured, read from the text tower (which loads it).</remarks>
    public int Dimensions => _options.Dimensions ?? GetModelAsync(CancellationToken.None).GetAwaiter().GetResult().Dimensions;

    /// <summary>The most inputs sent per request or run through a tower at once.</summary>
    public int MaxBatchSize => _options.MaxBatchSize;

    /// <inheritdoc />
    public int SourceBatchSize => _options.MaxBatchSize;

    /// <summary>The options.</summary>
    public OpenClipOptions Options => _options;

    /// <summary>The folder the export is read from (the model path, or its folder in the cache).</summary>
    public string ExportFolder => _options.ModelPath ?? Path.Combine(CacheRoot(_options.CacheDirectory), SafeName($"{_options.ModelName}-{_options.Pretrained}"));

    /// <summary>Creates the function from LanceDB's stored configuration (<c>name</c>, <c>pretrained</c>, <c>batch_size</c>, <c>normalize</c>, and ours: <c>model_path</c>, <c>download_url</c>, <c>dim</c>).</summary>
    /// <exception cref="EmbeddingException">A key has the wrong type.</exception>
    public static OpenClip FromConfiguration(JsonObject? configuration)
    {
        if (configuration is null)
        {
            return new OpenClip();
        }

        try
        {
            var defaults = new OpenClipOptions();
            return new OpenClip(new OpenClipOptions
            {
                ModelName = configuration["name"]?.GetValue<string>() ?? defaults.ModelName,
                Pretrained = configuration["pretrained"]?.GetValue<string>() ?? defaults.Pretrained,
                MaxBatchSize = configuration["batch_size"]?.GetValue<int>() ?? defaults.MaxBatchSize,
                Normalize = configuration["normalize"]?.GetValue<bool>() ?? true,
                ModelPath = configuration["model_path"]?.GetValue<string>() ?? Environment.GetEnvironmentVariable("LANCE_ORM_OPEN_CLIP_PATH"),
                DownloadUrl = configuration["download_url"]?.GetValue<string>() is { } url ? new Uri(url, UriKind.Absolute) : null,
                Dimensions = configuration["dim"]?.GetValue<int>(),
            });
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or UriFormatException or JsonException)
        {
            throw new EmbeddingException($"Invalid open-clip configuration {configuration.ToJsonString()}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public JsonObject GetConfiguration()
    {
        var config = new JsonObject
        {
            ["name"] = _options.ModelName,
            ["pretrained"] = _options.Pretrained,
            ["device"] = "cpu",
            ["batch_size"] = _options.MaxBatchSize,
            ["normalize"] = _options.Normalize,
        };
        if (_options.ModelPath is { } path)
        {
            config["model_path"] = path;
        }

        if (_options.DownloadUrl is { } url)
        {
            config["download_url"] = url.AbsoluteUri;
        }

        if (_options.Dimensions is { } dim)
        {
            config["dim"] = dim;
        }

        return config;
    }

    /// <summary>Embeds images named by URIs (paths, <c>file:</c> or <c>http(s):</c>), as LanceDB's image sources.</summary>
    public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return ComputeImageEmbeddingsAsync(sources.Select(Image.FromUri).ToArray(), cancellationToken);
    }

    /// <summary>Embeds a text query with the text tower.</summary>
    public async Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (await ComputeTextEmbeddingsAsync([query], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>Embeds texts with the text tower.</summary>
    public async Task<float[][]> ComputeTextEmbeddingsAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var model = await GetModelAsync(cancellationToken).ConfigureAwait(false);
        var result = new float[texts.Count][];
        for (var start = 0; start < texts.Count; start += _options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(_options.MaxBatchSize, texts.Count - start);
            model.EmbedTexts(texts, start, count, result);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<float[][]> ComputeImageEmbeddingsAsync(IReadOnlyList<Image> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var model = await GetModelAsync(cancellationToken).ConfigureAwait(false);
        var http = _options.HttpClient;
        var result = new float[images.Count][];
        for (var start = 0; start < images.Count; start += _options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(_options.MaxBatchSize, images.Count - start);
            var encoded = new (ReadOnlyMemory<byte> Bytes, string Description)[count];
            for (var i = 0; i < count; i++)
            {
                var image = images[start + i];
                encoded[i] = (await image.ReadAsync(http, cancellationToken).ConfigureAwait(false), image.Description);
            }

            model.EmbedImages(encoded, start, result);
        }

        return result;
    }

    /// <summary>Makes sure the export is on disk (downloading it if configured) and loads it.</summary>
    /// <exception cref="EmbeddingException">The export is missing, incomplete or cannot be downloaded.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken = default) => await GetModelAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Releases the ONNX Runtime sessions. Do not dispose while calls are in flight.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the sessions; override to release what a derived class holds.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed = true;
            _model?.Dispose();
            _model = null;
        }
    }

    private async Task<OpenClipModel> GetModelAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _model) is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_model is null)
            {
                var folder = ExportFolder;
                if (_options.ModelPath is null && _options.DownloadUrl is { } url)
                {
                    await ModelDownloader.EnsureAsync(url, folder, [TextModelFile, VisionModelFile, MergesFile], [VocabFile],
                        _options.HttpClient ?? SharedHttp.Value, new EmbeddingRetryPipeline(_options.DownloadRetry ?? EmbeddingRetryOptions.Default), cancellationToken).ConfigureAwait(false);
                }

                Volatile.Write(ref _model, OpenClipModel.Load(folder, _options));
            }

            return _model;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string CacheRoot(string? configured)
    {
        var root = configured ?? Environment.GetEnvironmentVariable("LANCE_ORM_CACHE");
        if (string.IsNullOrEmpty(root))
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            root = !string.IsNullOrEmpty(xdg)
                ? Path.Combine(xdg, "lance-orm")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lance-orm");
        }

        return Path.Combine(root, "open-clip");
    }

    private static string SafeName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(name.Select(c => invalid.Contains(c) || c == '/' ? '_' : c).ToArray());
    }
}
