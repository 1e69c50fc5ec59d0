using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Lance.Orm;

/// <summary>
/// Embedding function factories by their LanceDB name. A table stores the name and configuration of
/// its function and asks its database's registry to re-create it on open. Nothing is registered by
/// itself: a package adds its functions with an explicit call (Lance.Orm.Embeddings:
/// <c>registry.AddLanceOrmEmbeddings()</c>), and apps register their own with <see cref="Register"/>.
/// The registry holds factories only; the functions it creates belong to whoever asked for them (a
/// <see cref="Database"/> keeps and disposes the ones its tables use).
/// </summary>
public sealed class EmbeddingFunctionRegistry
{
    private readonly ConcurrentDictionary<string, Func<JsonObject?, IEmbeddingFunction>> _factories = new(StringComparer.Ordinal);

    /// <summary>The registry databases use unless <see cref="DatabaseOptions.Registry"/> names another.</summary>
    public static EmbeddingFunctionRegistry Default { get; } = new();

    /// <summary>The registered names.</summary>
    public IReadOnlyCollection<string> Names => _factories.Keys.ToArray();

    /// <summary>Registers (or replaces) the factory for <paramref name="name"/>.</summary>
    /// <param name="name">The LanceDB name, e.g. <c>sentence-transformers</c>.</param>
    /// <param name="factory">Creates the function from its stored configuration (null for defaults).</param>
    /// <returns>This registry, so registrations chain.</returns>
    public EmbeddingFunctionRegistry Register(string name, Func<JsonObject?, IEmbeddingFunction> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        _factories[name] = factory;
        return this;
    }

    /// <summary>Whether a function is registered as <paramref name="name"/>.</summary>
    public bool IsRegistered(string name) => _factories.ContainsKey(name);

    /// <summary>
    /// Creates the function registered as <paramref name="name"/> with <paramref name="configuration"/>;
    /// the caller owns it (and disposes it when it is disposable). String values of the form
    /// <c>$env:NAME</c> are replaced by that environment variable before the factory runs, so stored
    /// configuration names secrets without holding them.
    /// </summary>
    /// <exception cref="EmbeddingException">No function is registered under that name, or a referenced environment variable is not set.</exception>
    public IEmbeddingFunction Create(string name, JsonObject? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return FactoryFor(name)(EmbeddingSecrets.Resolve(configuration, name));
    }

    /// <summary>
    /// LanceDB Python's spelling: <c>registry.Get("open-clip").Create(options)</c>. Returns a creator
    /// for the function registered as <paramref name="name"/>.
    /// </summary>
    /// <exception cref="EmbeddingException">No function is registered under that name.</exception>
    public EmbeddingFunctionCreator Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _ = FactoryFor(name);
        return new EmbeddingFunctionCreator(this, name);
    }

    private Func<JsonObject?, IEmbeddingFunction> FactoryFor(string name)
    {
        if (_factories.TryGetValue(name, out var factory))
        {
            return factory;
        }

        var known = _factories.IsEmpty ? "none" : string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal));
        throw new EmbeddingException(
            $"Unknown embedding function '{name}'. Registered functions: {known}. " +
            "Register it before opening the table: registry.AddLanceOrmEmbeddings() (package Lance.Orm.Embeddings) adds 'sentence-transformers', 'open-clip', 'openai' and 'resnet18'; " +
            "registry.Register(name, factory) adds your own.");
    }
}
