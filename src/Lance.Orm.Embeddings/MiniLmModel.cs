using System.Buffers;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Lance.Orm.Embeddings;

/// <summary>
/// The loaded all-MiniLM-L6-v2: tokenizer plus one ONNX Runtime session (thread-safe; concurrent
/// calls each use their own pooled buffers).
/// </summary>
internal sealed class MiniLmModel : IDisposable
{
    internal const int MiniLmDimensions = 384;
    internal const int MiniLmMaxTokens = 256;

    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";
    private const string LastHiddenState = "last_hidden_state";

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames = [LastHiddenState];
    private readonly bool _hasTokenTypeIds;
    private readonly bool _normalize;
    private readonly int _clsId;
    private readonly int _sepId;
    private readonly SentenceModelSpec _spec;

    private MiniLmModel(SentenceModelSpec spec, BertTokenizer tokenizer, InferenceSession session, bool normalize)
    {
        _spec = spec;
        Tokenizer = tokenizer;
        _session = session;
        _normalize = normalize;
        _clsId = tokenizer.ClassificationTokenId;
        _sepId = tokenizer.SeparatorTokenId;

        var inputs = session.InputMetadata;
        if (!inputs.ContainsKey(InputIds) || !inputs.ContainsKey(AttentionMask) || !session.OutputMetadata.ContainsKey(LastHiddenState))
        {
            throw new EmbeddingException(
                $"The {spec.Name} ONNX model lacks the expected inputs ({InputIds}, {AttentionMask}) or output ({LastHiddenState}).");
        }

        _hasTokenTypeIds = inputs.ContainsKey(TokenTypeIds);
        _inputNames = _hasTokenTypeIds ? [InputIds, AttentionMask, TokenTypeIds] : [InputIds, AttentionMask];
    }

    internal BertTokenizer Tokenizer { get; }

    /// <summary>Reads the weights and creates the tokenizer and the inference session.</summary>
    internal static MiniLmModel Load(SentenceModelSpec spec, string weightsPath, int intraOpThreads, bool normalize)
    {
        var (modelBytes, vocabBytes) = MiniLmWeights.Read(weightsPath, spec);

        BertTokenizer tokenizer;
        using (var vocab = new MemoryStream(vocabBytes, writable: false))
        {
            tokenizer = BertTokenizer.Create(vocab, new BertOptions
            {
                LowerCaseBeforeTokenization = true,
                RemoveNonSpacingMarks = true, // "café" -> "cafe", as the reference (uncased BERT) tokenizer does
            });
        }

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };

        InferenceSession session;
        try
        {
            session = new InferenceSession(modelBytes, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new EmbeddingException($"ONNX Runtime could not load the {spec.Name} model from '{weightsPath}': {ex.Message}", ex);
        }

        try
        {
            return new MiniLmModel(spec, tokenizer, session, normalize);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Token ids with [CLS] and [SEP], truncated to the model's token limit like sentence-transformers.</summary>
    internal int[] Tokenize(string text)
    {
        var ids = Tokenizer.EncodeToIds(text, addSpecialTokens: false);
        int count = Math.Min(ids.Count, _spec.MaxTokens - 2);
        var result = new int[count + 2];
        result[0] = _clsId;
        for (int i = 0; i < count; i++)
        {
            result[i + 1] = ids[i];
        }

        result[count + 1] = _sepId;
        return result;
    }

    /// <summary>Embeds <paramref name="texts"/>, <paramref name="maxBatchSize"/> at a time.</summary>
    internal float[][] Embed(IReadOnlyList<string> texts, int maxBatchSize, CancellationToken cancellationToken)
    {
        int n = texts.Count;
        var result = new float[n][];
        if (n == 0)
        {
            return result;
        }

        var tokens = new int[n][];
        var lengths = new int[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            var text = texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts));
            tokens[i] = Tokenize(text);
            lengths[i] = tokens[i].Length;
            order[i] = i;
        }

        // Batch texts of similar length together so that little padding is computed. Results do not
        // depend on the batch (padding is masked), so the order is restored when writing them out.
        Array.Sort(lengths, order);

        for (int start = 0; start < n; start += maxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunBatch(tokens, order.AsSpan(start, Math.Min(maxBatchSize, n - start)), result);
        }

        return result;
    }

    private void RunBatch(int[][] tokens, ReadOnlySpan<int> batch, float[][] result)
    {
        int rows = batch.Length;
        int seq = 0;
        foreach (int index in batch)
        {
            seq = Math.Max(seq, tokens[index].Length);
        }

        int cells = rows * seq;
        int hiddenSize = cells * _spec.Dimensions;
        var ids = ArrayPool<long>.Shared.Rent(cells);
        var mask = ArrayPool<long>.Shared.Rent(cells);
        var types = _hasTokenTypeIds ? ArrayPool<long>.Shared.Rent(cells) : null;
        var hidden = ArrayPool<float>.Shared.Rent(hiddenSize);
        try
        {
            for (int r = 0; r < rows; r++)
            {
                var row = tokens[batch[r]];
                var idRow = ids.AsSpan(r * seq, seq);
                var maskRow = mask.AsSpan(r * seq, seq);
                for (int t = 0; t < row.Length; t++)
                {
                    idRow[t] = row[t];
                }

                idRow[row.Length..].Clear(); // [PAD] = 0
                maskRow[..row.Length].Fill(1);
                maskRow[row.Length..].Clear();
            }

            types?.AsSpan(0, cells).Clear();

            long[] inputShape = [rows, seq];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(0, cells), inputShape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, cells), inputShape);
            using var typesValue = types is null ? null : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, types.AsMemory(0, cells), inputShape);
            using var hiddenValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, hidden.AsMemory(0, hiddenSize), [rows, seq, _spec.Dimensions]);
            OrtValue[] inputs = typesValue is null ? [idsValue, maskValue] : [idsValue, maskValue, typesValue];

            try
            {
                using var runOptions = new RunOptions();
                _session.Run(runOptions, _inputNames, inputs, _outputNames, [hiddenValue]);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new EmbeddingException($"{_spec.Name} inference failed: {ex.Message}", ex);
            }

            // Mean pooling over the attention mask: the real tokens are the first row.Length of each row.
            for (int r = 0; r < rows; r++)
            {
                int length = tokens[batch[r]].Length;
                var embedding = new float[_spec.Dimensions];
                var rowStates = hidden.AsSpan(r * seq * _spec.Dimensions, length * _spec.Dimensions);
                if (_spec.ClsPooling)
                {
                    rowStates[.._spec.Dimensions].CopyTo(embedding); // the [CLS] token's state
                }
                else
                {
                    for (int t = 0; t < length; t++)
                    {
                        TensorPrimitives.Add(embedding, rowStates.Slice(t * _spec.Dimensions, _spec.Dimensions), embedding);
                    }

                    TensorPrimitives.Divide(embedding, length, embedding);
                }
                if (_normalize)
                {
                    float norm = TensorPrimitives.Norm(embedding);
                    TensorPrimitives.Divide(embedding, MathF.Max(norm, 1e-12f), embedding);
                }

                result[batch[r]] = embedding;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(mask);
            if (types is not null)
            {
                ArrayPool<long>.Shared.Return(types);
            }

            ArrayPool<float>.Shared.Return(hidden);
        }
    }

    public void Dispose() => _session.Dispose();
}
