using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm;

/// <summary>A table's embedding configuration entry joined with a way to get its function.</summary>
internal sealed record BoundEmbedding(EmbeddingFunctionConfig Config, int Dimensions, Func<IEmbeddingFunction> Function);

/// <summary>
/// Fills null vectors of a record batch from their source column, working on Arrow arrays so the
/// typed and untyped tables share one path.
/// </summary>
internal static class EmbeddingApplier
{
    /// <summary>How many source values are handed to a function at once.</summary>
    public const int SourceBatchSize = 256;

    public static async Task<RecordBatch> ApplyAsync(
        RecordBatch batch, Schema tableSchema, IReadOnlyList<BoundEmbedding> embeddings, string tableName, CancellationToken cancellationToken)
    {
        foreach (var embedding in embeddings)
        {
            batch = await ApplyOneAsync(batch, tableSchema, embedding, tableName, cancellationToken).ConfigureAwait(false);
        }

        return batch;
    }

    private static async Task<RecordBatch> ApplyOneAsync(
        RecordBatch batch, Schema tableSchema, BoundEmbedding embedding, string tableName, CancellationToken cancellationToken)
    {
        var config = embedding.Config;
        var vectorField = tableSchema.FieldsList.FirstOrDefault(f => f.Name == config.VectorColumn)
            ?? throw new EmbeddingException($"Table '{tableName}' has no vector column '{config.VectorColumn}' for embedding function '{config.Name}'.");
        if (vectorField.DataType is not FixedSizeListType { ValueDataType: FloatType } vectorType)
        {
            throw new EmbeddingException($"Column '{config.VectorColumn}' of table '{tableName}' is {vectorField.DataType.Name}, not a float vector, so '{config.Name}' cannot fill it.");
        }

        var dimension = vectorType.ListSize;
        var sourceIndex = batch.Schema.GetFieldIndex(config.SourceColumn);
        if (sourceIndex < 0)
        {
            throw new EmbeddingException($"The rows added to table '{tableName}' have no source column '{config.SourceColumn}' for vector column '{config.VectorColumn}'.");
        }

        if (batch.Column(sourceIndex) is not StringArray sources)
        {
            throw new EmbeddingException($"Source column '{config.SourceColumn}' of table '{tableName}' must hold text to be embedded by '{config.Name}'; it holds {batch.Schema.FieldsList[sourceIndex].DataType.Name}.");
        }

        var vectorIndex = batch.Schema.GetFieldIndex(config.VectorColumn);
        var existing = vectorIndex >= 0 ? batch.Column(vectorIndex) as FixedSizeListArray : null;
        var missing = new List<int>();
        for (var row = 0; row < batch.Length; row++)
        {
            if ((existing is null || existing.IsNull(row)) && !sources.IsNull(row))
            {
                missing.Add(row);
            }
        }

        if (missing.Count == 0 && existing is not null)
        {
            return batch;
        }

        var values = new float[batch.Length * dimension];
        var valid = new bool[batch.Length];
        if (existing is not null)
        {
            var flat = ((FloatArray)existing.Values).Values.Slice(existing.Offset * dimension, existing.Length * dimension);
            flat.CopyTo(values);
            for (var row = 0; row < batch.Length; row++)
            {
                valid[row] = existing.IsValid(row);
            }
        }

        if (missing.Count > 0)
        {
            var function = Resolve(embedding, tableName);
            for (var start = 0; start < missing.Count; start += SourceBatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = missing.GetRange(start, Math.Min(SourceBatchSize, missing.Count - start));
                var texts = rows.Select(r => sources.GetString(r)!).ToArray();
                float[][] vectors;
                try
                {
                    vectors = await function.ComputeSourceEmbeddingsAsync(texts, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not EmbeddingException)
                {
                    throw new EmbeddingException($"Embedding function '{config.Name}' failed on column '{config.SourceColumn}' of table '{tableName}': {ex.Message}", ex);
                }

                if (vectors.Length != rows.Count)
                {
                    throw new EmbeddingException($"Embedding function '{config.Name}' returned {vectors.Length} vectors for {rows.Count} values of '{config.SourceColumn}' in table '{tableName}'.");
                }

                for (var i = 0; i < rows.Count; i++)
                {
                    if (vectors[i].Length != dimension)
                    {
                        throw new EmbeddingException(
                            $"Embedding function '{config.Name}' returned a vector of {vectors[i].Length} dimensions for column '{config.VectorColumn}' of table '{tableName}', which holds {dimension}.");
                    }

                    vectors[i].CopyTo(values.AsSpan(rows[i] * dimension, dimension));
                    valid[rows[i]] = true;
                }
            }
        }

        var column = BuildVectors(vectorType, values, valid);
        return Replace(batch, vectorField, vectorIndex, column);
    }

    private static IEmbeddingFunction Resolve(BoundEmbedding embedding, string tableName)
    {
        try
        {
            return embedding.Function();
        }
        catch (EmbeddingException ex)
        {
            throw new EmbeddingException($"Table '{tableName}': {ex.Message}", ex);
        }
    }

    /// <summary>Builds a fixed-size-list column over a flat float buffer (no per-row allocation).</summary>
    internal static FixedSizeListArray BuildVectors(FixedSizeListType type, float[] values, bool[] valid)
    {
        var rows = valid.Length;
        var nulls = 0;
        var bits = new byte[(rows + 7) / 8];
        for (var row = 0; row < rows; row++)
        {
            if (valid[row])
            {
                bits[row >> 3] |= (byte)(1 << (row & 7));
            }
            else
            {
                nulls++;
            }
        }

        var child = new ArrayData(type.ValueDataType, values.Length, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray())]);
        var data = new ArrayData(type, rows, nulls, 0, [nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(bits)], [child]);
        return new FixedSizeListArray(data);
    }

    private static RecordBatch Replace(RecordBatch batch, Field field, int index, IArrowArray column)
    {
        var fields = batch.Schema.FieldsList.ToList();
        var columns = Enumerable.Range(0, batch.ColumnCount).Select(batch.Column).ToList();
        if (index >= 0)
        {
            fields[index] = field;
            columns[index] = column;
        }
        else
        {
            fields.Add(field);
            columns.Add(column);
        }

        return new RecordBatch(new Schema(fields, batch.Schema.Metadata), columns, batch.Length);
    }
}
