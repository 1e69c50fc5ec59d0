using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Arrow;
using Lance.Engine.Query;

namespace Lance.Orm;

/// <summary>Querying an untyped table: searches, plain queries and counts.</summary>
public partial class Table
{
    /// <summary>The column a search with several query vectors adds (first, as LanceDB does): the position of the row's query vector.</summary>
    public const string QueryIndexColumn = "query_index";

    /// <summary>Searches by text: the query is embedded by the table's embedding function.</summary>
    public VectorQuery Search(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new VectorQuery(this, QueryInput.FromText(text));
    }

    /// <summary>Searches by vector.</summary>
    public VectorQuery Search(ReadOnlyMemory<float> vector) => new(this, QueryInput.FromVector(vector));

    /// <summary>Searches by vector.</summary>
    public VectorQuery Search(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Search(vector.AsMemory());
    }

    /// <summary>
    /// Searches with several query vectors in one call (LanceDB's multi-vector query): each vector gets the
    /// query's limit and offset, and every row comes back with a <c>query_index</c> column (first, as in
    /// LanceDB) holding its vector's position, rows grouped by query in order, nearest first within a query.
    /// Exact searches share one pass over the vectors; <c>ToSearchResultsAsync</c> gives each row's
    /// <see cref="SearchResult{T}.QueryIndex"/>, and a <c>[QueryIndex]</c> member of the model is filled.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="vectors"/> is empty.</exception>
    public VectorQuery Search(IEnumerable<float[]> vectors) => Search(QueryInput.FromVectors(vectors));

    /// <inheritdoc cref="Search(IEnumerable{float[]})"/>
    public VectorQuery Search(IEnumerable<ReadOnlyMemory<float>> vectors) => Search(QueryInput.FromVectors(vectors));

    /// <summary>Searches with <paramref name="input"/>: text or an image (embedded when the query runs), or a vector.</summary>
    public VectorQuery Search(QueryInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new VectorQuery(this, input);
    }

    /// <summary>A plain query over the table's rows (no vector): add <c>Where</c>, <c>Select</c>, <c>Limit</c>, <c>Offset</c>.</summary>
    public LanceQuery Query() => new(this);

    /// <summary>Counts the rows that pass the SQL <paramref name="filter"/>.</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this table.</exception>
    public Task<long> CountRowsAsync(string filter, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        return Dataset.CountRowsAsync(filter, cancellationToken);
    }

    /// <summary>Deletes the rows that pass the SQL <paramref name="filter"/>, as one new version.</summary>
    /// <returns>The number of rows deleted.</returns>
    /// <exception cref="LanceFilterException">The filter is invalid for this table; nothing is deleted.</exception>
    public Task<long> DeleteAsync(string filter, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        return Dataset.DeleteAsync(filter, cancellationToken);
    }

    /// <summary>
    /// Sets columns (name → value) of the rows that pass the SQL <paramref name="filter"/> (all rows
    /// when null), as one new version. Each value is stored as a model member of its .NET type is
    /// stored by an add (<see cref="DateTime"/> as wall-clock time in a column without a time zone,
    /// <see cref="Guid"/> in RFC 4122 byte order, enums by name or number, …); a list column takes
    /// any sequence, a struct column a dictionary of field name → value, and any column a one-row
    /// Arrow array of its type. Setting the source column of an embedding function recomputes the rows' vectors
    /// from the new values (unless the update sets the vector column too).
    /// </summary>
    /// <returns>The number of rows updated.</returns>
    /// <exception cref="LanceFilterException">The filter is invalid for this table; nothing is updated.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist, or a value does not fit it; nothing is updated.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public Task<long> UpdateAsync(string? filter, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException($"An update of table '{Name}' needs at least one column to set.", nameof(values));
        }

        var schema = Schema;
        var predicate = string.IsNullOrWhiteSpace(filter) ? null : new FilterSql(filter);
        var setters = new Dictionary<string, Func<RecordBatch, IArrowArray>>(StringComparer.Ordinal);
        foreach (var (column, value) in values)
        {
            var field = schema.FieldsList.FirstOrDefault(f => f.Name == column)
                ?? throw new LanceSchemaException(
                    $"Cannot update column '{column}': it does not exist in table '{Name}'. Columns: {string.Join(", ", schema.FieldsList.Select(f => f.Name))}.");
            setters[column] = Updating.ModelUpdate.Repeat(Updating.ColumnValueWriter.OneRow(field, value, Name));
        }

        return Dataset.UpdateAsync(predicate, setters, ReembedUpdated(setters.Keys), cancellationToken);
    }

    /// <summary>Runs a query: a plain query scans with the filter; a search embeds text if needed, then searches.</summary>
    internal async IAsyncEnumerable<RecordBatch> ExecuteAsync(QuerySpec spec, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (sql, tree) = spec.ResolveFilter();
        if (spec.Input is { Kind: QueryInputKind.Vectors } many)
        {
            yield return await MultiVectorSearchAsync(spec, many.Vectors, sql, tree, cancellationToken).ConfigureAwait(false);
            yield break;
        }

        if (spec.QueryType == QueryType.FullText && spec.Input?.Text is { } keywords)
        {
            yield return await FullTextSearches.RunAsync(Dataset, spec, keywords, sql, tree, cancellationToken).ConfigureAwait(false);
            yield break;
        }

        if (spec.QueryType == QueryType.Hybrid && (spec.HybridKeywords ?? spec.Input?.Text) is { } hybridText)
        {
            yield return await HybridSearchAsync(spec, hybridText, sql, tree, cancellationToken).ConfigureAwait(false);
            yield break;
        }

        if (spec.Input is null && spec.Order.Count > 0)
        {
            await foreach (var batch in OrderedScan.ExecuteAsync(Dataset, Name, spec, sql, tree, cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }

            yield break;
        }

        if (spec.Input is not { } input)
        {
            var scan = new ScanRequest
            {
                Columns = spec.Columns,
                Filter = sql,
                FilterTree = tree,
                Limit = spec.Limit,
                Offset = spec.Offset,
                WithRowId = spec.WithRowId,
            };
            await foreach (var batch in Dataset.ScanAsync(scan, cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }

            yield break;
        }

        var (column, vector) = await QueryVectorAsync(spec, input, cancellationToken).ConfigureAwait(false);
        var request = VectorRequest(spec, column, vector, sql, tree, withRowId: spec.WithRowId || spec.Reranker is not null);
        var results = await Dataset.SearchAsync(request, cancellationToken).ConfigureAwait(false);
        yield return spec.Reranker is null
            ? results
            : await SearchReranking.RerankVectorAsync(spec, results, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A search with several query vectors, as LanceDB's multi-vector query answers it: each vector searched with the
    /// query's filter, limit and offset (exact ones in one shared pass through the engine's batched kernels), the rows
    /// of all of them in one batch behind an int32 <c>query_index</c> column (the vector's position), grouped by query
    /// in order and nearest first within each.
    /// </summary>
    /// <exception cref="NotSupportedException">The query is hybrid or reranked; those take one query.</exception>
    /// <exception cref="LanceSchemaException">A vector's length is not the column's dimension (the message names the column and the vector's index).</exception>
    private async Task<RecordBatch> MultiVectorSearchAsync(
        QuerySpec spec, IReadOnlyList<ReadOnlyMemory<float>> vectors, string? sql, FilterNode? tree, CancellationToken cancellationToken)
    {
        if (spec.QueryType == QueryType.Hybrid || spec.Reranker is not null)
        {
            throw new NotSupportedException(
                $"A search of table '{Name}' with {vectors.Count} query vectors cannot be hybrid or reranked (as in LanceDB); search with one vector for that.");
        }

        var (column, _) = ResolveColumn(spec);
        var request = VectorRequest(spec, column, ReadOnlyMemory<float>.Empty, sql, tree, spec.WithRowId);
        var results = await Dataset.SearchBatchAsync(request, vectors, cancellationToken).ConfigureAwait(false);
        var total = results.Sum(r => r.Length);
        var queryIndex = new Int32Array.Builder().Reserve(total);
        for (var q = 0; q < results.Count; q++)
        {
            for (var i = 0; i < results[q].Length; i++)
            {
                queryIndex.Append(q);
            }
        }

        var fields = new List<Field> { new(QueryIndexColumn, Int32Type.Default, nullable: false) };
        fields.AddRange(results[0].Schema.FieldsList);
        var columns = new List<IArrowArray> { queryIndex.Build() };
        for (var c = 0; c < results[0].ColumnCount; c++)
        {
            columns.Add(results.Count == 1 ? results[0].Column(c) : ArrowArrays.Concatenate(results.Select(r => r.Column(c)).ToList()));
        }

        return new RecordBatch(new Schema(fields, null), columns, total);
    }

    /// <summary>The engine's vector search for <paramref name="spec"/> over <paramref name="column"/>.</summary>
    private static VectorSearchRequest VectorRequest(QuerySpec spec, string column, ReadOnlyMemory<float> vector, string? sql, FilterNode? tree, bool withRowId)
        => new(column, vector, spec.Limit ?? 10)
        {
            Metric = spec.Metric,
            Columns = spec.Columns,
            WithRowId = withRowId,
            Filter = sql,
            FilterTree = tree,
            Prefilter = spec.Prefilter,
            Offset = spec.Offset,
            DistanceLower = spec.DistanceLower,
            DistanceUpper = spec.DistanceUpper,
            Nprobes = spec.Nprobes,
            RefineFactor = spec.RefineFactor,
            Ef = spec.Ef,
            BypassIndex = spec.BypassIndex,
        };

    /// <summary>The vector column a search reads and its query vector: the input's own, or its text or image embedded by the column's function.</summary>
    /// <exception cref="EmbeddingException">The input is text or an image and the column has no embedding function for it, or the function failed.</exception>
    private async Task<(string Column, ReadOnlyMemory<float> Vector)> QueryVectorAsync(QuerySpec spec, QueryInput input, CancellationToken cancellationToken)
    {
        var (column, embedding) = ResolveColumn(spec);
        if (input.Text is { } text)
        {
            if (embedding is null)
            {
                throw new EmbeddingException(
                    $"Table '{Name}' has no embedding function for column '{column}', so it cannot search by text. Search with a vector instead, or create the table with an embedding function.");
            }

            IEmbeddingFunction function;
            try
            {
                function = embedding.Function();
            }
            catch (EmbeddingException ex)
            {
                throw new EmbeddingException($"Table '{Name}': {ex.Message}", ex);
            }

            var vector = await Database.RetryPipeline.ExecuteAsync(
                $"'{embedding.Config.Name}' for a query on column '{column}' of table '{Name}'",
                ct => function.ComputeQueryEmbeddingAsync(text, ct),
                cancellationToken).ConfigureAwait(false);
            return (column, vector);
        }

        if (input.Image is { } image)
        {
            return (column, await EmbedImageAsync(image, column, embedding, cancellationToken).ConfigureAwait(false));
        }

        return (column, input.Vector);
    }

    /// <summary>
    /// A hybrid search, as LanceDB's hybrid query runs it: the text embedded and searched by vector, and searched by keywords
    /// over the full-text index, both with the query's filter, columns, limit and offset; the two lists fused by the query's
    /// reranker (reciprocal rank fusion, k = 60, unless another was given), then cut to the limit.
    /// </summary>
    private async Task<RecordBatch> HybridSearchAsync(QuerySpec spec, string text, string? sql, FilterNode? tree, CancellationToken cancellationToken)
    {
        var (column, vector) = await QueryVectorAsync(spec, spec.Input!, cancellationToken).ConfigureAwait(false);
        var fullTextColumn = FullTextSearches.HybridColumn(Dataset, Name, spec, _embeddings.FirstOrDefault(e => e.Config.VectorColumn == column)?.Config.SourceColumn);
        var vectorSearch = Dataset.SearchAsync(VectorRequest(spec, column, vector, sql, tree, withRowId: true), cancellationToken);
        var fullTextSearch = FullTextSearches.RunAsync(Dataset, spec, fullTextColumn, text, sql, tree, withRowId: true, cancellationToken);
        var vectorResults = await vectorSearch.ConfigureAwait(false);
        var fullTextResults = await fullTextSearch.ConfigureAwait(false);
        return await HybridFusion.FuseAsync(
            spec.RerankQuery ?? text, vectorResults, fullTextResults, spec.Reranker ?? new RrfReranker(), offset: 0, spec.Limit ?? 10, spec.WithRowId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts a plain query's rows without reading more than the filter's columns.</summary>
    internal Task<long> CountAsync(QuerySpec spec, CancellationToken cancellationToken)
    {
        var (sql, tree) = spec.ResolveFilter();
        return tree is null ? Dataset.CountRowsAsync(sql, cancellationToken) : Dataset.CountRowsAsync(tree, cancellationToken);
    }

    /// <summary>One batch from many (an empty one with the projected schema when there are none).</summary>
    internal RecordBatch Concatenate(List<RecordBatch> batches, QuerySpec spec)
    {
        if (batches.Count == 1)
        {
            return batches[0];
        }

        if (batches.Count == 0)
        {
            var fields = spec.Columns is null ? Schema.FieldsList.ToList() : spec.Columns.Select(c => Schema.GetFieldByName(c)).ToList();
            if (spec.WithRowId)
            {
                fields.Add(new Field(LanceDataset.RowIdColumn, UInt64Type.Default, nullable: true));
            }

            return new RecordBatch(new Schema(fields, null), fields.Select(f => ArrowArrays.Empty(f.DataType)), 0);
        }

        var columns = Enumerable.Range(0, batches[0].ColumnCount)
            .Select(c => ArrowArrays.Concatenate(batches.Select(b => b.Column(c)).ToList()))
            .ToList();
        return new RecordBatch(batches[0].Schema, columns, batches.Sum(b => b.Length));
    }

    private (string Column, BoundEmbedding? Embedding) ResolveColumn(QuerySpec spec)
    {
        if (spec.Column is { } named)
        {
            return (named, _embeddings.FirstOrDefault(e => e.Config.VectorColumn == named));
        }

        if (spec.Input?.Text is not null && _embeddings.Count == 1)
        {
            return (_embeddings[0].Config.VectorColumn, _embeddings[0]);
        }

        var vectors = Schema.FieldsList.Where(f => f.DataType is FixedSizeListType { ValueDataType: FloatType }).Select(f => f.Name).ToList();
        var column = vectors.Count switch
        {
            1 => vectors[0],
            0 => throw new LanceSchemaException($"Table '{Name}' has no vector column to search."),
            _ when vectors.Contains("vector") => "vector",
            _ => throw new LanceSchemaException($"Table '{Name}' has several vector columns ({string.Join(", ", vectors)}); choose one with .Column(name)."),
        };
        return (column, _embeddings.FirstOrDefault(e => e.Config.VectorColumn == column));
    }
}
