using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Lance.Orm.Embeddings;

/// <summary>A loaded OpenCLIP export: tokenizer and the two ONNX Runtime sessions (thread-safe).</summary>
internal sealed class OpenClipModel : IDisposable
{
    private readonly InferenceSession _text;
    private readonly InferenceSession _vision;
    private readonly ClipTokenizer _tokenizer;
    private readonly string _textInput;
    private readonly string? _textMask;
    private readonly string _textOutput;
    private readonly string _visionInput;
    private readonly string _visionOutput;
    private readonly bool _normalize;
    private readonly string _folder;

    private OpenClipModel(string folder, InferenceSession text, InferenceSession vision, ClipTokenizer tokenizer, bool normalize)
    {
        _folder = folder;
        _text = text;
        _vision = vision;
        _tokenizer = tokenizer;
        _normalize = normalize;
        _textInput = Pick(text.InputMetadata.Keys, "input_ids", "text");
        _textMask = text.InputMetadata.ContainsKey("attention_mask") ? "attention_mask" : null;
        _textOutput = Pick(text.OutputMetadata.Keys, "text_embeds", "text_features");
        _visionInput = Pick(vision.InputMetadata.Keys, "pixel_values", "image");
        _visionOutput = Pick(vision.OutputMetadata.Keys, "image_embeds", "image_features");

        var textDims = text.OutputMetadata[_textOutput].Dimensions;
        var visionDims = vision.OutputMetadata[_visionOutput].Dimensions;
        Dimensions = textDims[^1];
        if (Dimensions <= 0 || (visionDims[^1] > 0 && visionDims[^1] != Dimensions))
        {
            throw new EmbeddingException(
                $"The OpenCLIP export in '{folder}' has towers of different or unknown widths (text {textDims[^1]}, image {visionDims[^1]}).");
        }

        var inputDims = vision.InputMetadata[_visionInput].Dimensions;
        ImageSize = inputDims.Length == 4 && inputDims[2] > 0 ? inputDims[2] : 224;
    }

    public int Dimensions { get; }

    public int ImageSize { get; }

    public static OpenClipModel Load(string folder, OpenClipOptions options)
    {
        var missing = new[] { OpenClip.TextModelFile, OpenClip.VisionModelFile, OpenClip.MergesFile }.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (missing.Count > 0)
        {
            throw new EmbeddingException(
                $"The OpenCLIP export folder '{folder}' lacks {string.Join(", ", missing)}. No CLIP weights ship with Lance.Orm.Embeddings: " +
                "export the text and vision towers of an OpenCLIP model to ONNX (textual.onnx, visual.onnx) with its tokenizer's merges.txt " +
                "(and vocab.json), then set OpenClipOptions.ModelPath (or LANCE_ORM_OPEN_CLIP_PATH), or set OpenClipOptions.DownloadUrl.");
        }

        var tokenizer = ClipTokenizer.FromFiles(Path.Combine(folder, OpenClip.MergesFile), Path.Combine(folder, OpenClip.VocabFile));
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        InferenceSession? text = null;
        InferenceSession? vision = null;
        try
        {
            text = new InferenceSession(Path.Combine(folder, OpenClip.TextModelFile), sessionOptions);
            vision = new InferenceSession(Path.Combine(folder, OpenClip.VisionModelFile), sessionOptions);
            return new OpenClipModel(folder, text, vision, tokenizer, options.Normalize);
        }
        catch (OnnxRuntimeException ex)
        {
            text?.Dispose();
            vision?.Dispose();
            throw new EmbeddingException($"ONNX Runtime could not load the OpenCLIP export in '{folder}': {ex.Message}", ex);
        }
        catch
        {
            text?.Dispose();
            vision?.Dispose();
            throw;
        }
    }

    public void EmbedTexts(IReadOnlyList<string> texts, int start, int count, float[][] result)
    {
        var context = _tokenizer.ContextLength;
        var ids = new long[count * context];
        var mask = _textMask is null ? null : new long[count * context];
        for (var i = 0; i < count; i++)
        {
            var row = _tokenizer.EncodeForModel(texts[start + i] ?? throw new ArgumentException($"Text {start + i} is null.", nameof(texts)));
            row.CopyTo(ids, i * context);
            if (mask is not null)
            {
                var end = Array.IndexOf(row, (long)_tokenizer.EndId);
                mask.AsSpan(i * context, end + 1).Fill(1);
            }
        }

        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [count, context]);
        using var maskValue = mask is null ? null : OrtValue.CreateTensorValueFromMemory(mask, [count, context]);
        var names = mask is null ? new[] { _textInput } : [_textInput, _textMask!];
        var inputs = maskValue is null ? new[] { idsValue } : [idsValue, maskValue];
        Run(_text, names, inputs, _textOutput, count, start, result, "text");
    }

    public void EmbedImages((ReadOnlyMemory<byte> Bytes, string Description)[] images, int start, float[][] result)
    {
        var size = ImageSize;
        var plane = 3 * size * size;
        var pixels = new float[images.Length * plane];
        for (var i = 0; i < images.Length; i++)
        {
            ClipImagePreprocessor.Preprocess(images[i].Bytes.Span, size, pixels.AsSpan(i * plane, plane), images[i].Description);
        }

        using var value = OrtValue.CreateTensorValueFromMemory(pixels, [images.Length, 3, size, size]);
        Run(_vision, [_visionInput], [value], _visionOutput, images.Length, start, result, "vision");
    }

    public void Dispose()
    {
        _text.Dispose();
        _vision.Dispose();
    }

    private void Run(InferenceSession session, string[] inputNames, OrtValue[] inputs, string output, int rows, int start, float[][] result, string tower)
    {
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputNames, inputs, [output]);
            var data = outputs[0].GetTensorDataAsSpan<float>();
            if (data.Length != rows * Dimensions)
            {
                throw new EmbeddingException($"The OpenCLIP {tower} tower in '{_folder}' returned {data.Length} floats for {rows} inputs of {Dimensions}.");
            }

            for (var r = 0; r < rows; r++)
            {
                var vector = data.Slice(r * Dimensions, Dimensions).ToArray();
                if (_normalize)
                {
                    TensorPrimitives.Divide(vector, MathF.Max(TensorPrimitives.Norm(vector), 1e-12f), vector);
                }

                result[start + r] = vector;
            }
        }
        catch (OnnxRuntimeException ex)
        {
            throw new EmbeddingException($"OpenCLIP {tower} inference failed ('{_folder}'): {ex.Message}", ex);
        }
    }

    private static string Pick(IEnumerable<string> names, params string[] preferred)
    {
        var list = names.ToList();
        return preferred.FirstOrDefault(list.Contains) ?? list.First();
    }
}
