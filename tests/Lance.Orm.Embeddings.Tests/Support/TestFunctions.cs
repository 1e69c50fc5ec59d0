using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>A cheap deterministic text function that records what it was asked to embed.</summary>
public class RecordingFunction(string name = "recording", int dimensions = 4, int maxBatchSize = 256) : IEmbeddingFunction
{
    private readonly List<IReadOnlyList<string>> _calls = [];

    public string Name { get; } = name;

    public int Dimensions { get; } = dimensions;

    public int SourceBatchSize { get; } = maxBatchSize;

    public Func<int, CancellationToken, Task>? BeforeCall { get; set; }

    public IReadOnlyList<IReadOnlyList<string>> Calls { get { lock (_calls) { return _calls.ToArray(); } } }

    public JsonObject GetConfiguration() => new() { ["dim"] = Dimensions };

    public async Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        int call;
        lock (_calls)
        {
            _calls.Add(sources.ToArray());
            call = _calls.Count;
        }

        if (BeforeCall is not null)
        {
            await BeforeCall(call, cancellationToken);
        }

        return sources.Select(Embed).ToArray();
    }

    public virtual Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default) => Task.FromResult(Embed(query));

    public float[] Embed(string text)
    {
        var v = new float[Dimensions];
        v[0] = text.Length;
        for (var d = 1; d < Dimensions; d++)
        {
            v[d] = text.Length == 0 ? 0 : text[(d - 1) % text.Length] % 17;
        }

        return v;
    }
}

/// <summary>An image function for tests: the vector is (bytes, first byte, last byte) of the encoded image.</summary>
public sealed class ByteImageFunction : IImageEmbeddingFunction
{
    public string Name => "test-image";

    public int Dimensions => 3;

    public JsonObject GetConfiguration() => [];

    public async Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
        => await ComputeImageEmbeddingsAsync(sources.Select(Image.FromUri).ToArray(), cancellationToken);

    public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
        => Task.FromResult(new float[] { query.Length, 0, 0 });

    public async Task<float[][]> ComputeImageEmbeddingsAsync(IReadOnlyList<Image> images, CancellationToken cancellationToken = default)
    {
        var result = new float[images.Count][];
        for (var i = 0; i < images.Count; i++)
        {
            var bytes = await images[i].ReadAsync(null, cancellationToken);
            result[i] = [bytes.Length, bytes.Span[0], bytes.Span[^1]];
        }

        return result;
    }
}

/// <summary>Builds Arrow batches for untyped-table tests.</summary>
public static class Batches
{
    public static FixedSizeListType VectorType(int dim) => new(new Field("item", FloatType.Default, true), dim);

    public static Schema Schema(int dim, bool withVector = true)
    {
        var fields = new List<Field> { new("id", Int64Type.Default, false), new("text", StringType.Default, true) };
        if (withVector)
        {
            fields.Add(new Field("vector", VectorType(dim), true));
        }

        return new Schema(fields, null);
    }

    public static RecordBatch Rows(int dim, params (long Id, string Text, float[]? Vector)[] rows)
    {
        var ids = new Int64Array.Builder();
        var texts = new StringArray.Builder();
        var vectors = new FixedSizeListArray.Builder(FloatType.Default, dim);
        var values = (FloatArray.Builder)vectors.ValueBuilder;
        foreach (var (id, text, vector) in rows)
        {
            ids.Append(id);
            texts.Append(text);
            if (vector is null)
            {
                vectors.AppendNull();
            }
            else
            {
                vectors.Append();
                values.AppendRange(vector);
            }
        }

        return new RecordBatch(Schema(dim), [ids.Build(), texts.Build(), vectors.Build()], rows.Length);
    }

    public static RecordBatch RowsWithListVectors(params (long Id, string Text, float[]? Vector)[] rows)
    {
        var ids = new Int64Array.Builder();
        var texts = new StringArray.Builder();
        var vectors = new ListArray.Builder(FloatType.Default);
        var values = (FloatArray.Builder)vectors.ValueBuilder;
        foreach (var (id, text, vector) in rows)
        {
            ids.Append(id);
            texts.Append(text);
            if (vector is null)
            {
                vectors.AppendNull();
            }
            else
            {
                vectors.Append();
                values.AppendRange(vector);
            }
        }

        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("text", StringType.Default, true), new Field("vector", new ListType(FloatType.Default), true)], null);
        return new RecordBatch(schema, [ids.Build(), texts.Build(), vectors.Build()], rows.Length);
    }

    public static RecordBatch TextOnly(params (long Id, string Text)[] rows)
    {
        var ids = new Int64Array.Builder();
        var texts = new StringArray.Builder();
        foreach (var (id, text) in rows)
        {
            ids.Append(id);
            texts.Append(text);
        }

        return new RecordBatch(Schema(0, withVector: false), [ids.Build(), texts.Build()], rows.Length);
    }

    public static async Task<List<(long Id, string Text, float[]? Vector)>> ReadAllAsync(Table table)
    {
        var rows = new List<(long, string, float[]?)>();
        await foreach (var batch in table.ScanAsync())
        {
            var ids = (Int64Array)batch.Column("id");
            var texts = (StringArray)batch.Column("text");
            var vectors = (FixedSizeListArray)batch.Column("vector");
            var dim = ((FixedSizeListType)vectors.Data.DataType).ListSize;
            var flat = (FloatArray)vectors.Values;
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add((ids.GetValue(r)!.Value, texts.GetString(r)!, vectors.IsNull(r) ? null : flat.Values.Slice((vectors.Offset + r) * dim, dim).ToArray()));
            }
        }

        return rows.OrderBy(r => r.Item1).ToList();
    }
}

/// <summary>A database in a fresh temp folder with its own registry, deleted on dispose.</summary>
public sealed class TempDb : IDisposable
{
    public TempDb() => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lance-embed-tests-" + Guid.NewGuid().ToString("N"));

    public string Path { get; }

    public EmbeddingFunctionRegistry Registry { get; } = new();

    public Task<Database> ConnectAsync(EmbeddingRetryOptions? retry = null)
        => LanceDb.ConnectAsync(Path, new DatabaseOptions { Registry = Registry, EmbeddingRetry = retry ?? EmbeddingRetryOptions.Default });

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
