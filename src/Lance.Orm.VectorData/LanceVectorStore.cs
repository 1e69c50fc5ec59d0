using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData;

/// <summary>
/// A Microsoft.Extensions.VectorData store over a Lance database (a local folder or an object-store
/// URI): each collection is one Lance table, readable by LanceDB in Python, Node and Rust.
/// </summary>
public sealed class LanceVectorStore : VectorStore
{
    /// <summary>The name this provider reports as <see cref="VectorStoreMetadata.VectorStoreSystemName"/>.</summary>
    public const string SystemName = "lancedb";

    private readonly LanceTables _tables;
    private readonly LanceVectorStoreOptions _options;
    private readonly VectorStoreMetadata _metadata;

    /// <summary>A store over a database that is already open; the caller keeps and disposes it.</summary>
    public LanceVectorStore(Database database, LanceVectorStoreOptions? options = null)
        : this(new LanceTables(database ?? throw new ArgumentNullException(nameof(database))), options)
    {
    }

    /// <summary>A store over the database at <paramref name="uri"/> (a folder, <c>s3://</c>, <c>az://</c>, ...), connected on first use and closed with the store.</summary>
    public LanceVectorStore(string uri, LanceVectorStoreOptions? options = null)
        : this(new LanceTables(uri, options?.DatabaseOptions), options)
    {
    }

    private LanceVectorStore(LanceTables tables, LanceVectorStoreOptions? options)
    {
        _tables = tables;
        _options = options ?? new LanceVectorStoreOptions();
        _metadata = new VectorStoreMetadata { VectorStoreSystemName = SystemName, VectorStoreName = tables.Name };
    }

    /// <inheritdoc />
    [RequiresUnreferencedCode("MEVD builds the model of a POCO record by reflection; use GetDynamicCollection for trimming.")]
    [RequiresDynamicCode("MEVD builds the model of a POCO record by reflection; use GetDynamicCollection for NativeAOT.")]
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
        => new LanceCollection<TKey, TRecord>(_tables, name, new LanceCollectionOptions { Definition = definition }, _options.EmbeddingGenerator);

    /// <inheritdoc />
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
        => new LanceDynamicCollection(_tables, name, new LanceCollectionOptions { Definition = definition }, _options.EmbeddingGenerator);

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var name in await _tables.NamesAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return name;
        }
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _tables.ExistsAsync(name, cancellationToken);
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _tables.DropAsync(name, cancellationToken);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType == typeof(Database) ? _tables.ConnectedDatabase
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tables.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}
