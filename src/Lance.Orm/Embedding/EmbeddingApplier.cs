using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;

namespace Lance.Orm;

/// <summary>A table's embedding configuration entry joined with a way to get its function.</summary>
internal sealed record BoundEmbedding(EmbeddingFunctionConfig Config, int Dimensions, Func<IEmbeddingFunction> Function);

/// <summary>What one add (or re-embedding) runs with: the table, the retry pipeline and the caller's options.</summary>
internal sealed class EmbeddingRun(string tableName, EmbeddingRetryPipeline pipeline, AddOptions options)
{
    private readonly Dictionary<string, (long Embedded, long Total)> _progress = new(StringComparer.Ordinal);

    public string TableName { get; } = tableName;

    public EmbeddingRetryPipeline Pipeline { get; } = pipeline;

    public AddOptions Options { get; } = options;

    public void Plan(string column, long rows)
    {
        var (embedded, total) = _progress.GetValueOrDefault(column);
        _progress[column] = (embedded, total + rows);
    }

    public void Report(string column, long rows)
    {
        var (embedded, total) = _progress.GetValueOrDefault(column);
        _progress[column] = (embedded + rows, total);
        Options.Progress?.Report(new EmbeddingProgress(column, embedded + rows, total));
    }
}

/// <summary>
/// Prepares added rows on Arrow arrays, so typed and untyped tables share one path: bad vectors are
/// handled as the caller asked, then null vectors are filled from their source column, in batches
/// sized for each function, every call going through the retry pipeline.
/// </summary>
internal static class EmbeddingApplier
{
    /// <summary>Prepares every batch; all embedding happens before anything is written.</summary>
    public static async Task<List<RecordBatch>> ApplyAllAsync(
        IEnumerable<RecordBatch> batches, Schema tableSchema, IReadOnlyList<BoundEmbedding> embeddings, EmbeddingRun run, CancellationToken cancellationToken)
    {
        var sanitized = new List<RecordBatch>();
        var index = 0;
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (batch is null)
            {
                throw new ArgumentException($"Batch {index} of the batches added to table '{run.TableName}' is null; nothing was written. Remove the null batch.", nameof(batches));
            }

            index++;
            var clean = SanitizeVectors(batch, tableSchema, run);
            if (clean.Length > 0 || sanitized.Count == 0)
            {
                sanitized.Add(clean);
            }
        }

        foreach (var embedding in embeddings)
        {
            foreach (var batch in sanitized)
            {
                run.Plan(embedding.Config.VectorColumn, MissingRows(batch, embedding.Config).Count);
            }
        }

        for (var i = 0; i < sanitized.Count; i++)
        {
            foreach (var embedding in embeddings)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sanitized[i] = await ApplyOneAsync(sanitized[i], tableSchema, embedding, run, owned: false, cancellationToken).ConfigureAwait(false);
            }
        }

        return sanitized;
    }

    /// <summary>
    /// Prepares one batch of a streamed add: sanitises its vectors, then embeds its missing ones.
    /// <paramref name="owned"/> says the batch was made for this add (by the typed writer), so its
    /// vector buffers may be filled in place rather than copied.
    /// </summary>
    public static async Task<RecordBatch> PrepareAsync(
        RecordBatch batch, Schema tableSchema, IReadOnlyList<BoundEmbedding> embeddings, EmbeddingRun run, bool owned, CancellationToken cancellationToken)
    {
        batch = SanitizeVectors(batch, tableSchema, run);
        foreach (var embedding in embeddings)
        {
            cancellationToken.ThrowIfCancellationRequested();
            run.Plan(embedding.Config.VectorColumn, MissingRows(batch, embedding.Config).Count);
            batch = await ApplyOneAsync(batch, tableSchema, embedding, run, owned, cancellationToken).ConfigureAwait(false);
        }

        return batch;
    }

    /// <summary>Applies every sanitisation rule to the vector columns of <paramref name="batch"/>.</summary>
    internal static RecordBatch SanitizeVectors(RecordBatch batch, Schema tableSchema, EmbeddingRun run)
    {
        HashSet<int>? dropped = null;
        foreach (var field in tableSchema.FieldsList)
        {
            if (field.DataType is not FixedSizeListType { ValueDataType: FloatType } type)
            {
                continue;
            }

            var index = batch.Schema.GetFieldIndex(field.Name);
            if (index < 0)
            {
                continue;
            }

            var column = batch.Column(index);
            if (column is FixedSizeListArray fixedList && fixedList.Values is FloatArray && ((FixedSizeListType)fixedList.Data.DataType).ListSize == type.ListSize
                && !HasNaN(fixedList, type.ListSize))
            {
                continue; // the common case: right length, no NaN; keep the column as it is
            }

            if (!TryReadVectors(column, out var lengthOf, out var valueAt))
            {
                continue; // not a float vector column; the schema check names it
            }

            var dim = type.ListSize;
            var values = new float[batch.Length * dim];
            var valid = new bool[batch.Length];
            for (var row = 0; row < batch.Length; row++)
            {
                var length = lengthOf(row);
                if (length < 0)
                {
                    continue; // null stays null (and is embedded where a function fills the column)
                }

                string? problem = length != dim ? $"has {length} values, but the column holds vectors of {dim}" : null;
                for (var d = 0; problem is null && d < dim; d++)
                {
                    var value = valueAt(row, d);
                    if (float.IsNaN(value))
                    {
                        problem = $"holds NaN at position {d}";
                    }

                    values[(row * dim) + d] = value;
                }

                if (problem is null)
                {
                    valid[row] = true;
                    continue;
                }

                switch (run.Options.OnBadVectors)
                {
                    case BadVectorHandling.Drop:
                        (dropped ??= []).Add(row);
                        break;
                    case BadVectorHandling.Fill:
                        values.AsSpan(row * dim, dim).Fill(run.Options.FillValue);
                        valid[row] = true;
                        break;
                    case BadVectorHandling.Null:
                        values.AsSpan(row * dim, dim).Clear();
                        break;
                    default:
                        throw new LanceSchemaException(
                            $"The vector in column '{field.Name}' of row {row} added to table '{run.TableName}' {problem}. " +
                            "Fix the data, or add with OnBadVectors = Drop, Fill or Null.");
                }
            }

            batch = Replace(batch, field, index, BuildVectors(type, values, valid));
        }

        if (dropped is null)
        {
            return batch;
        }

        var keep = Enumerable.Range(0, batch.Length).Where(r => !dropped.Contains(r)).ToArray();
        return ArrowArrays.Take(batch, keep);
    }

    private static bool HasNaN(FixedSizeListArray list, int dim)
    {
        var values = ((FloatArray)list.Values).Values.Slice(list.Offset * dim, list.Length * dim);
        if (values.IsEmpty || !float.IsNaN(System.Numerics.Tensors.TensorPrimitives.Max(values)))
        {
            return false; // Max propagates NaN, so one vectorised pass clears the common case
        }

        for (var row = 0; row < list.Length; row++)
        {
            if (list.IsValid(row))
            {
                foreach (var v in values.Slice(row * dim, dim))
                {
                    if (float.IsNaN(v))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static bool TryReadVectors(IArrowArray column, out Func<int, int> lengthOf, out Func<int, int, float> valueAt)
    {
        switch (column)
        {
            case FixedSizeListArray { Values: FloatArray floats } fixedList:
            {
                var size = ((FixedSizeListType)fixedList.Data.DataType).ListSize;
                lengthOf = row => fixedList.IsNull(row) ? -1 : size;
                valueAt = (row, d) => floats.GetValue(((fixedList.Offset + row) * size) + d) ?? float.NaN;
                return true;
            }

            case ListArray { Values: FloatArray floats } list:
                lengthOf = row => list.IsNull(row) ? -1 : list.GetValueLength(row);
                valueAt = (row, d) => floats.GetValue(list.ValueOffsets[row] + d) ?? float.NaN;
                return true;
            default:
                lengthOf = _ => -1;
                valueAt = (_, _) => 0;
                return false;
        }
    }

    private static List<int> MissingRows(RecordBatch batch, EmbeddingFunctionConfig config)
    {
        var missing = new List<int>();
        var sourceIndex = batch.Schema.GetFieldIndex(config.SourceColumn);
        if (sourceIndex < 0)
        {
            return missing;
        }

        var sources = batch.Column(sourceIndex);
        var vectorIndex = batch.Schema.GetFieldIndex(config.VectorColumn);
        var existing = vectorIndex >= 0 ? batch.Column(vectorIndex) : null;
        for (var row = 0; row < batch.Length; row++)
        {
            if ((existing is null || existing.IsNull(row)) && !sources.IsNull(row))
            {
                missing.Add(row);
            }
        }

        return missing;
    }

    private static async Task<RecordBatch> ApplyOneAsync(
        RecordBatch batch, Schema tableSchema, BoundEmbedding embedding, EmbeddingRun run, bool owned, CancellationToken cancellationToken)
    {
        var config = embedding.Config;
        var tableName = run.TableName;
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

        var sources = batch.Column(sourceIndex);
        if (sources is not StringArray and not BinaryArray)
        {
            throw new EmbeddingException(
                $"Source column '{config.SourceColumn}' of table '{tableName}' must hold text, image URIs or image bytes to be embedded by '{config.Name}'; it holds {batch.Schema.FieldsList[sourceIndex].DataType.Name}.");
        }

        var vectorIndex = batch.Schema.GetFieldIndex(config.VectorColumn);
        var existing = vectorIndex >= 0 ? batch.Column(vectorIndex) as FixedSizeListArray : null;
        var missing = MissingRows(batch, config);
        if (missing.Count == 0 && existing is not null)
        {
            return batch;
        }

        // The column's value buffer: the one the typed writer made for this batch when the batch is
        // ours (its null slots are zeros, waiting here), else a new one holding the given vectors.
        var values = (owned ? OwnedValues(existing, dimension, batch.Length) : null) ?? CopyValues(existing, dimension, batch.Length);
        var valid = new bool[batch.Length];
        for (var row = 0; existing is not null && row < batch.Length; row++)
        {
            valid[row] = existing.IsValid(row);
        }

        if (missing.Count > 0)
        {
            var function = Resolve(embedding, tableName);
            var batchSize = Math.Max(1, function.SourceBatchSize);
            var operation = $"'{config.Name}' for column '{config.VectorColumn}' of table '{tableName}'";
            for (var start = 0; start < missing.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = missing.GetRange(start, Math.Min(batchSize, missing.Count - start));

                // Rows in one run are embedded straight into the column; scattered ones through a scratch target.
                var contiguous = rows[^1] - rows[0] == rows.Count - 1;
                var target = contiguous
                    ? new EmbeddingTarget(values, rows[0] * dimension * sizeof(float), rows.Count, dimension, config.Name, config.SourceColumn, config.VectorColumn, tableName)
                    : new EmbeddingTarget(new byte[rows.Count * dimension * sizeof(float)], 0, rows.Count, dimension, config.Name, config.SourceColumn, config.VectorColumn, tableName);
                await EmbedAsync(function, sources, rows, target, config, run, operation, cancellationToken).ConfigureAwait(false);
                var into = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(values.AsSpan());
                for (var i = 0; i < rows.Count; i++)
                {
                    if (!contiguous)
                    {
                        target.Vector(i).CopyTo(into.Slice(rows[i] * dimension, dimension));
                    }

                    valid[rows[i]] = true;
                }

                run.Report(config.VectorColumn, rows.Count);
            }
        }

        var column = BuildVectors(vectorType, values, valid);
        return Replace(batch, vectorField, vectorIndex, column);
    }

    /// <summary>The typed writer's own value buffer of <paramref name="existing"/>, when it is a whole array the batch alone holds.</summary>
    private static byte[]? OwnedValues(FixedSizeListArray? existing, int dimension, int rows)
    {
        if (existing is null || existing.Offset != 0 || existing.Values is not FloatArray floats || floats.Offset != 0
            || !System.Runtime.InteropServices.MemoryMarshal.TryGetArray(floats.ValueBuffer.Memory, out var segment)
            || segment.Array is null || segment.Offset != 0 || segment.Array.Length != rows * dimension * sizeof(float))
        {
            return null;
        }

        return segment.Array;
    }

    private static byte[] CopyValues(FixedSizeListArray? existing, int dimension, int rows)
    {
        var values = new byte[checked(rows * dimension * sizeof(float))];
        if (existing is not null)
        {
            var flat = ((FloatArray)existing.Values).Values.Slice(existing.Offset * dimension, existing.Length * dimension);
            flat.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(values.AsSpan()));
        }

        return values;
    }

    private static Task<bool> EmbedAsync(
        IEmbeddingFunction function, IArrowArray sources, List<int> rows, EmbeddingTarget target, EmbeddingFunctionConfig config, EmbeddingRun run, string operation, CancellationToken cancellationToken)
    {
        if (sources is StringArray strings)
        {
            var texts = new string[rows.Count];
            for (var i = 0; i < texts.Length; i++)
            {
                texts[i] = strings.GetString(rows[i])!;
            }

            return run.Pipeline.ExecuteAsync(
                operation,
                async ct =>
                {
                    await function.ComputeSourceEmbeddingsIntoAsync(texts, target, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken);
        }

        if (function is not IImageEmbeddingFunction images)
        {
            throw new EmbeddingException(
                $"Source column '{config.SourceColumn}' of table '{run.TableName}' holds bytes, but embedding function '{config.Name}' does not embed images.");
        }

        var binary = (BinaryArray)sources;
        var inputs = rows.Select(r => Image.FromBytes(binary.GetBytes(r).ToArray())).ToArray();
        return run.Pipeline.ExecuteAsync(
            operation,
            async ct =>
            {
                target.SetAll(await images.ComputeImageEmbeddingsAsync(inputs, ct).ConfigureAwait(false));
                return true;
            },
            cancellationToken);
    }

    internal static IEmbeddingFunction Resolve(BoundEmbedding embedding, string tableName)
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

    /// <summary>Builds a fixed-size-list column over a flat float buffer (no per-row allocation, no copy).</summary>
    internal static FixedSizeListArray BuildVectors(FixedSizeListType type, float[] values, bool[] valid)
        => BuildVectors(type, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), valid);

    /// <summary>Builds a fixed-size-list column over <paramref name="values"/> (float bytes), which it keeps as its buffer.</summary>
    internal static FixedSizeListArray BuildVectors(FixedSizeListType type, byte[] values, bool[] valid)
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

        var child = new ArrayData(type.ValueDataType, values.Length / sizeof(float), 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(values)]);
        var data = new ArrayData(type, rows, nulls, 0, [nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(bits)], [child]);
        return new FixedSizeListArray(data);
    }

    internal static RecordBatch Replace(RecordBatch batch, Field field, int index, IArrowArray column)
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
