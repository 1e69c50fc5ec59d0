using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Query;
using Lance.Orm.VectorData.Filtering;
using Lance.Orm.VectorData.Mapping;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Lance.Orm.VectorData;

/// <summary>
/// An MEVD collection stored as one Lance table: records are rows (one column per key, data and vector
/// property), upserts are merge-inserts on the key column, searches run on the engine's exact or
/// indexed vector search with the MEVD filter translated to a Lance SQL filter, and hybrid searches
/// (<see cref="IKeywordHybridSearchable{TRecord}"/>) run the ORM's hybrid query: vector search and BM25 keyword search over
/// the table's full-text index, fused by reciprocal rank fusion.
/// </summary>
/// <typeparam name="TKey">The key type: <see cref="long"/>, <see cref="string"/> or <see cref="Guid"/> (<see cref="object"/> for dynamic collections).</typeparam>
/// <typeparam name="TRecord">The record type, described by MEVD attributes or a <see cref="VectorStoreCollectionDefinition"/>.</typeparam>
public class LanceCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>, IKeywordHybridSearchable<TRecord>
    where TKey : notnull
    where TRecord : class
{
    /// <summary>How many keys one <c>IN (...)</c> filter holds when getting or deleting in batches.</summary>
    private const int KeysPerQuery = 1000;

    private readonly LanceTables _tables;
    private readonly CollectionModel _model;
    private readonly IRecordMapper<TRecord> _mapper;
    private readonly VectorStoreCollectionMetadata _metadata;
    private readonly Dictionary<VectorPropertyModel, DistanceMapping> _distances = [];

    /// <summary>A collection named <paramref name="name"/> in an open database (which the caller keeps and disposes).</summary>
    [RequiresUnreferencedCode("MEVD builds the model of a POCO record by reflection; use a generated ILanceModel record or a dynamic collection for trimming.")]
    [RequiresDynamicCode("MEVD builds the model of a POCO record by reflection; use a generated ILanceModel record or a dynamic collection for NativeAOT.")]
    public LanceCollection(Database database, string name, LanceCollectionOptions? options = null)
        : this(new LanceTables(database ?? throw new ArgumentNullException(nameof(database))), name, options ?? LanceCollectionOptions.Default, null)
    {
    }

    [RequiresUnreferencedCode("MEVD builds the model of a POCO record by reflection.")]
    [RequiresDynamicCode("MEVD builds the model of a POCO record by reflection.")]
    internal LanceCollection(LanceTables tables, string name, LanceCollectionOptions options, IEmbeddingGenerator? storeGenerator)
        : this(tables, name, BuildModel(name, options, storeGenerator))
    {
    }

    private protected LanceCollection(LanceTables tables, string name, (CollectionModel Model, IRecordMapper<TRecord> Mapper) model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _tables = tables;
        Name = name;
        (_model, _mapper) = model;
        foreach (var vector in _model.VectorProperties)
        {
            _distances[vector] = DistanceMapping.For(vector.DistanceFunction, vector.ModelName);
        }

        _metadata = new VectorStoreCollectionMetadata
        {
            VectorStoreSystemName = LanceVectorStore.SystemName,
            VectorStoreName = tables.Name,
            CollectionName = name,
        };
    }

    /// <inheritdoc />
    public override string Name { get; }

    [RequiresUnreferencedCode("MEVD builds the model of a POCO record by reflection.")]
    [RequiresDynamicCode("MEVD builds the model of a POCO record by reflection.")]
    private static (CollectionModel, IRecordMapper<TRecord>) BuildModel(string name, LanceCollectionOptions options, IEmbeddingGenerator? storeGenerator)
    {
        if (typeof(TRecord) == typeof(Dictionary<string, object?>))
        {
            throw new NotSupportedException(VectorDataStrings.NonDynamicCollectionWithDictionaryNotSupported(typeof(LanceDynamicCollection)));
        }

        var model = new LanceModelBuilder().Build(typeof(TRecord), typeof(TKey), options.Definition, options.EmbeddingGenerator ?? storeGenerator);
        return (model, LanceModelMappers.For<TRecord>(model, name));
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default)
        => Run("CollectionExists", () => _tables.ExistsAsync(Name, cancellationToken));

    /// <inheritdoc />
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
        => Run("EnsureCollectionExists", () => _tables.EnsureAsync(Name, db => _mapper.CreateTableAsync(db, Name, cancellationToken), cancellationToken));

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
        => Run("EnsureCollectionDeleted", async () =>
        {
            await _tables.DropAsync(Name, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <inheritdoc />
    public override async Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var includeVectors = CheckIncludeVectors(options?.IncludeVectors ?? false);
        var records = await Run("Get", async () =>
        {
            var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await ReadAsync(Project(table.Query().Where(KeyEquals(key)).Limit(1), includeVectors), includeVectors, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return records.Count == 0 ? null : records[0];
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(
        IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var includeVectors = CheckIncludeVectors(options?.IncludeVectors ?? false);
        foreach (var chunk in keys.Chunk(KeysPerQuery))
        {
            var records = await Run("Get", async () =>
            {
                var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
                return await ReadAsync(Project(table.Query().Where(KeyIn(chunk)), includeVectors), includeVectors, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            foreach (var record in records)
            {
                yield return record;
            }
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(
        Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip);
        var includeVectors = CheckIncludeVectors(options.IncludeVectors);
        var sql = LanceFilterTranslator.ToSql(filter, _model, Name);
        var orderBy = options.OrderBy?.Invoke(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition()).Values;
        var records = await Run("Get", async () =>
        {
            var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var query = table.Query();
            if (sql is not null)
            {
                query.Where(sql);
            }

            if (orderBy is not { Count: > 0 })
            {
                query.Offset(options.Skip).Limit(top);
                return await ReadAsync(Project(query, includeVectors), includeVectors, cancellationToken).ConfigureAwait(false);
            }

            // The matching rows are sorted here, in memory, as the ORM's OrderBy would sort them too.
            var all = await ReadAsync(Project(query, includeVectors), includeVectors, cancellationToken).ConfigureAwait(false);
            return RecordOrdering.Sort(all, orderBy, _model).Skip(options.Skip).Take(top).ToList();
        }).ConfigureAwait(false);

        foreach (var record in records)
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Run("Delete", async () =>
        {
            var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await table.DeleteAsync(KeyEquals(key), cancellationToken).ConfigureAwait(false);
        });
    }

    /// <inheritdoc />
    public override Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Run("Delete", async () =>
        {
            long deleted = 0;
            foreach (var chunk in keys.Chunk(KeysPerQuery))
            {
                var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
                deleted += await table.DeleteAsync(KeyIn(chunk), cancellationToken).ConfigureAwait(false);
            }

            return deleted;
        });
    }

    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var rows = Deduplicate(records);
        if (rows.Count == 0)
        {
            return;
        }

        var generated = await GenerateEmbeddingsAsync(rows, cancellationToken).ConfigureAwait(false);
        var batch = _mapper.Write(rows, generated);
        await Run("Upsert", async () =>
        {
            var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await table.MergeInsertAsync([_model.KeyProperty.StorageName], [batch], MergeInsertOptions.Upsert, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(
        TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        options ??= new VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip);
        var includeVectors = CheckIncludeVectors(options.IncludeVectors);
        var vectorProperty = _model.GetVectorPropertyOrSingle(options);
        var distance = _distances[vectorProperty];
        var vector = await QueryVectorAsync(searchValue, vectorProperty, cancellationToken).ConfigureAwait(false);
        var sql = options.Filter is null ? null : LanceFilterTranslator.ToSql(options.Filter, _model, Name);

        var results = await Run("Search", async () =>
        {
            var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var query = table.Search(vector)
                .Column(vectorProperty.StorageName)
                .DistanceType(distance.Metric)
                .Limit(top)
                .Offset(options.Skip);
            if (sql is not null)
            {
                query.Where(sql);
            }

            if (options.ScoreThreshold is { } threshold)
            {
                query.DistanceRange(upper: MathF.BitIncrement(distance.UpperDistance(threshold)));
            }

            var found = new List<VectorSearchResult<TRecord>>(top);
            var records = new List<TRecord>(top);
            await foreach (var batch in Project(query, includeVectors).ToArrowAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Clear();
                _mapper.Read(batch, includeVectors, records);
                var distances = (FloatArray)batch.Column(LanceDataset.DistanceColumn);
                for (var i = 0; i < records.Count; i++)
                {
                    found.Add(new VectorSearchResult<TRecord>(records[i], distance.Score(distances.GetValue(i) ?? float.NaN)));
                }
            }

            return found;
        }).ConfigureAwait(false);

        foreach (var result in results)
        {
            yield return result;
        }
    }

    /// <summary>
    /// Searches by meaning and by keywords at once (the ORM's hybrid query, as LanceDB's): the nearest
    /// <c>2 × (top + Skip)</c> records to <paramref name="searchValue"/> and the best <c>2 × (top + Skip)</c> BM25 matches of
    /// <paramref name="keywords"/> (any of them) in the full-text property, both under the filter, fused by reciprocal
    /// rank fusion (k = 60; of two records with equal relevance, one that matched the keywords first); then <c>Skip</c> and
    /// <paramref name="top"/> apply. <see cref="VectorSearchResult{TRecord}.Score"/> is the fused relevance (higher is better),
    /// and <c>ScoreThreshold</c> keeps results whose relevance is at least it.
    /// </summary>
    /// <remarks>
    /// The full-text property is <c>AdditionalProperty</c>, else the only string property marked <c>IsFullTextIndexed</c>.
    /// Its full-text index (Lance's inverted index, LanceDB's defaults) is built by the first hybrid search that needs it;
    /// records upserted afterwards are still found, because the engine tokenizes rows outside the index when it searches,
    /// and replaced or deleted records never come back.
    /// </remarks>
    /// <exception cref="InvalidOperationException">No full-text property can be chosen (none marked, several and none chosen, or the chosen one is not marked), or no vector property.</exception>
    /// <exception cref="ArgumentException"><paramref name="keywords"/> holds no keyword.</exception>
    public async IAsyncEnumerable<VectorSearchResult<TRecord>> HybridSearchAsync<TInput>(
        TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<TRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentNullException.ThrowIfNull(keywords);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        options ??= new HybridSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip);
        var text = string.Join(' ', keywords.Where(k => !string.IsNullOrWhiteSpace(k)));
        if (text.Length == 0)
        {
            throw new ArgumentException($"Collection '{Name}': a hybrid search needs at least one keyword.", nameof(keywords));
        }

        var includeVectors = CheckIncludeVectors(options.IncludeVectors);
        var vectorProperty = ChooseProperty(() => _model.GetVectorPropertyOrSingle(new VectorSearchOptions<TRecord> { VectorProperty = options.VectorProperty }));
        var textProperty = ChooseProperty(() => _model.GetFullTextDataPropertyOrSingle(options.AdditionalProperty));
        var distance = _distances[vectorProperty];
        var vector = await QueryVectorAsync(searchValue, vectorProperty, cancellationToken).ConfigureAwait(false);
        var sql = options.Filter is null ? null : LanceFilterTranslator.ToSql(options.Filter, _model, Name);
        var candidates = 2 * (top + options.Skip);

        var results = await Run("HybridSearch", async () =>
        {
            var table = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await _tables.EnsureFullTextIndexAsync(table, textProperty.StorageName, cancellationToken).ConfigureAwait(false);

            // Each half offers twice the records wanted, counted from the start, so that a record just past one half's cut can still
            // win by its rank in the other, and the fused list (cut to as many) is reordered for ties below before Skip and top apply.
            var query = table.Search(vector)
                .Column(vectorProperty.StorageName)
                .DistanceType(distance.Metric)
                .FullTextSearch(text, textProperty.StorageName)
                .Limit(candidates);
            if (sql is not null)
            {
                query.Where(sql);
            }

            var found = new List<(VectorSearchResult<TRecord> Result, bool MatchedKeywords)>(candidates);
            var records = new List<TRecord>(candidates);
            await foreach (var batch in Project(query, includeVectors).ToArrowAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Clear();
                _mapper.Read(batch, includeVectors, records);
                var relevance = (FloatArray)batch.Column(RerankResults.RelevanceColumn);
                var keywordScores = batch.Schema.GetFieldIndex(RerankResults.ScoreColumn) is var at and >= 0 ? batch.Column(at) : null;
                for (var i = 0; i < records.Count; i++)
                {
                    found.Add((new VectorSearchResult<TRecord>(records[i], relevance.GetValue(i) ?? float.NaN), keywordScores?.IsValid(i) == true));
                }
            }

            // Reciprocal rank fusion ties whenever a record found only by keywords sits at the rank of one found only by
            // vector (always so when vectors are equal); the keyword match goes first then, the fusion's order otherwise (stable sort).
            return found.OrderByDescending(f => f.Result.Score).ThenByDescending(f => f.MatchedKeywords).Select(f => f.Result).ToList();
        }).ConfigureAwait(false);

        var threshold = options.ScoreThreshold;
        foreach (var result in results.Where(r => threshold is null || r.Score >= threshold).Skip(options.Skip).Take(top))
        {
            yield return result;
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType == typeof(Database) ? _tables.ConnectedDatabase
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>A property MEVD's model chooses from the options; its refusal names this collection.</summary>
    private T ChooseProperty<T>(Func<T> choose)
    {
        try
        {
            return choose();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"Collection '{Name}': {e.Message} (a hybrid search reads one string property marked IsFullTextIndexed, or the one named by HybridSearchOptions.AdditionalProperty, and one vector property, or the one named by VectorProperty).", e);
        }
    }

    private Task<Table> OpenAsync(CancellationToken cancellationToken) => _tables.OpenAsync(Name, cancellationToken);

    private bool CheckIncludeVectors(bool includeVectors)
    {
        if (includeVectors && _model.EmbeddingGenerationRequired)
        {
            throw new NotSupportedException(VectorDataStrings.IncludeVectorsNotSupportedWithEmbeddingGeneration);
        }

        return includeVectors;
    }

    private TSelf Project<TSelf>(TSelf query, bool includeVectors)
        where TSelf : QueryBase<TSelf>
        => includeVectors || _model.VectorProperties.Count == 0
            ? query
            : query.Select([.. _model.Properties.Where(p => p is not VectorPropertyModel).Select(p => p.StorageName)]);

    private async Task<List<TRecord>> ReadAsync<TSelf>(TSelf query, bool includeVectors, CancellationToken cancellationToken)
        where TSelf : QueryBase<TSelf>
    {
        var records = new List<TRecord>();
        await foreach (var batch in query.ToArrowAsync(cancellationToken).ConfigureAwait(false))
        {
            _mapper.Read(batch, includeVectors, records);
        }

        return records;
    }

    private string KeyEquals(TKey key)
        => new FilterComparison(ComparisonOperator.Equal, new FilterColumn(_model.KeyProperty.StorageName), KeyLiteral(key)).ToSql();

    private string KeyIn(IReadOnlyList<TKey> keys)
        => keys.Count == 0 ? "1 = 0" : new FilterIn(new FilterColumn(_model.KeyProperty.StorageName), [.. keys.Select(KeyLiteral)]).ToSql();

    private FilterLiteral KeyLiteral(TKey key) => key switch
    {
        Guid g => new FilterLiteral(g.ToString("D")),
        string or long => new FilterLiteral(key),
        _ => throw new ArgumentException(
            $"Collection '{Name}': key '{key}' of type '{key.GetType().Name}' does not fit key property '{_model.KeyProperty.ModelName}' ({_model.KeyProperty.Type.Name}).", nameof(key)),
    };

    /// <summary>The records to write, with auto-generated keys filled in and, for a key given twice, the last record only.</summary>
    private List<TRecord> Deduplicate(IEnumerable<TRecord> records)
    {
        var key = _model.KeyProperty;
        var rows = new List<TRecord>();
        var positions = new Dictionary<object, int>();
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            var value = key.GetValueAsObject(record);
            if (key.IsAutoGenerated && value is Guid g && g == Guid.Empty)
            {
                value = Guid.NewGuid();
                key.SetValueAsObject(record, value);
            }

            if (value is null)
            {
                throw new ArgumentException($"Collection '{Name}': a record has no value for key property '{key.ModelName}'.", nameof(records));
            }

            if (positions.TryGetValue(value, out var at))
            {
                rows[at] = record;
                continue;
            }

            positions[value] = rows.Count;
            rows.Add(record);
        }

        return rows;
    }

    private async Task<Dictionary<VectorPropertyModel, IReadOnlyList<Embedding>>?> GenerateEmbeddingsAsync(List<TRecord> rows, CancellationToken cancellationToken)
    {
        Dictionary<VectorPropertyModel, IReadOnlyList<Embedding>>? generated = null;
        foreach (var vector in _model.VectorProperties)
        {
            if (vector.EmbeddingType == vector.Type || vector.EmbeddingGenerationDispatcher is null)
            {
                continue;
            }

            var inputs = rows.Select(r => vector.GetValueAsObject(r) ?? throw new ArgumentException(
                $"Collection '{Name}': a record has no value for property '{vector.ModelName}', whose embedding is generated.", nameof(rows)));
            var embeddings = await vector.GenerateEmbeddingsAsync(inputs.ToList(), cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != rows.Count)
            {
                throw new InvalidOperationException(
                    $"Collection '{Name}': the embedding generator of '{vector.ModelName}' returned {embeddings.Count} embeddings for {rows.Count} records.");
            }

            (generated ??= [])[vector] = embeddings;
        }

        return generated;
    }

    private static async Task<ReadOnlyMemory<float>> QueryVectorAsync<TInput>(TInput searchValue, VectorPropertyModel vectorProperty, CancellationToken cancellationToken)
    {
        switch (searchValue)
        {
            case ReadOnlyMemory<float> memory:
                return memory;
            case float[] array:
                return array;
            case Embedding<float> embedding:
                return embedding.Vector;
        }

        if (vectorProperty.EmbeddingGenerator is null)
        {
            throw new NotSupportedException(VectorDataStrings.InvalidSearchInputAndNoEmbeddingGeneratorWasConfigured(searchValue!.GetType(), LanceModelBuilder.SupportedVectorTypes));
        }

        var generated = await vectorProperty.GenerateEmbeddingAsync(searchValue!, cancellationToken).ConfigureAwait(false);
        return generated is Embedding<float> floats
            ? floats.Vector
            : throw new InvalidOperationException(VectorDataStrings.IncompatibleEmbeddingGenerator(vectorProperty, vectorProperty.EmbeddingGenerator, "Embedding<float>"));
    }

    /// <summary>Runs an engine call; failures of the store itself become <see cref="VectorStoreException"/>s naming the collection and operation.</summary>
    private async Task<T> Run<T>(string operation, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is LanceException or IOException)
        {
            throw new VectorStoreException($"Lance collection '{Name}': {operation} failed: {e.Message}", e)
            {
                VectorStoreSystemName = LanceVectorStore.SystemName,
                VectorStoreName = _tables.Name,
                CollectionName = Name,
                OperationName = operation,
            };
        }
    }
}
