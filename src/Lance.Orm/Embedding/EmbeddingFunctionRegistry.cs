using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

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
    private readonly ConcurrentDictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, Func<IEmbeddingFunction>> _byType = new();
    private readonly ConcurrentDictionary<Type, Func<IEmbeddingGenerator<string, Embedding<float>>>> _generators = new();

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

    /// <summary>
    /// Sets a variable that stored configuration refers to as <c>$var:NAME</c> (LanceDB's
    /// <c>set_var</c>/<c>setVar</c>): an API key, say, which a table never stores. Variables set here
    /// win over environment variables of the same name.
    /// </summary>
    /// <param name="name">The variable's name (no colons, as LanceDB).</param>
    /// <param name="value">Its value.</param>
    /// <returns>This registry, so calls chain.</returns>
    /// <exception cref="ArgumentException">The name is empty or holds a colon.</exception>
    public EmbeddingFunctionRegistry SetVar(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Variable names cannot contain colons: '{name}'.", nameof(name));
        }

        _variables[name] = value;
        return this;
    }

    /// <summary>The variable set with <see cref="SetVar"/>, or null (the environment is not consulted here).</summary>
    public string? GetVar(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _variables.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>
    /// Makes models that declare <paramref name="functionType"/> (<c>[Vector(typeof(F))]</c>) get their function
    /// from <paramref name="factory"/> instead of <c>new F()</c>: a function configured in code or built by a
    /// dependency-injection container (with its HTTP client, key or options). The database still owns what it creates.
    /// </summary>
    /// <returns>This registry, so registrations chain.</returns>
    public EmbeddingFunctionRegistry RegisterForModels(Type functionType, Func<IEmbeddingFunction> factory)
    {
        ArgumentNullException.ThrowIfNull(functionType);
        ArgumentNullException.ThrowIfNull(factory);
        _byType[functionType] = factory;
        return this;
    }

    /// <summary>The factory registered with <see cref="RegisterForModels"/> for <paramref name="functionType"/>, or null.</summary>
    internal Func<IEmbeddingFunction>? ForModels(Type functionType) => _byType.TryGetValue(functionType, out var factory) ? factory : null;

    /// <summary>
    /// Makes models that name <typeparamref name="TGenerator"/> (<c>[Vector(typeof(TGenerator), 384)]</c>, a
    /// Microsoft.Extensions.AI embedding generator, or <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>
    /// itself) embed with <paramref name="generator"/>; its owner keeps it (the database never disposes it).
    /// </summary>
    /// <param name="generator">The generator to use.</param>
    /// <param name="name">
    /// The name untyped opens of tables find it by; by default the name models store for <typeparamref name="TGenerator"/>
    /// (its <c>[EmbeddingFunction]</c> name, else its full name, else <c>embedding-generator</c> for the interface itself).
    /// </param>
    /// <param name="dimensions">For untyped opens: the embedding size, when the generator's metadata does not report it.</param>
    /// <returns>This registry, so registrations chain.</returns>
    public EmbeddingFunctionRegistry RegisterEmbeddingGenerator<TGenerator>(TGenerator generator, string? name = null, int? dimensions = null)
        where TGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        ArgumentNullException.ThrowIfNull(generator);
        return RegisterEmbeddingGenerator<TGenerator>(() => generator, name, dimensions);
    }

    /// <summary>
    /// As <see cref="RegisterEmbeddingGenerator{TGenerator}(TGenerator, string?, int?)"/>, with the generator fetched from
    /// <paramref name="generator"/> when a table first needs it (a container's singleton, say); the database never disposes it.
    /// </summary>
    /// <param name="generator">Returns the generator to use.</param>
    /// <param name="name">The name untyped opens of tables find it by; by default the name models store for <typeparamref name="TGenerator"/>.</param>
    /// <param name="dimensions">For untyped opens: the embedding size, when the generator's metadata does not report it.</param>
    /// <returns>This registry, so registrations chain.</returns>
    public EmbeddingFunctionRegistry RegisterEmbeddingGenerator<TGenerator>(Func<TGenerator> generator, string? name = null, int? dimensions = null)
        where TGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generators[typeof(TGenerator)] = () => generator();
        var registered = name ?? DefaultGeneratorName(typeof(TGenerator));
        return Register(registered, configuration => generator().AsEmbeddingFunction(registered, dimensions, configuration));
    }

    /// <summary>
    /// The name a model's <c>[Vector(typeof(G), N)]</c> stores for a generator type without <c>[EmbeddingFunction]</c>:
    /// the type's full name, or <c>embedding-generator</c> for <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> itself.
    /// </summary>
    private static string DefaultGeneratorName(Type type)
    {
        if (type == typeof(IEmbeddingGenerator<string, Embedding<float>>))
        {
            return "embedding-generator";
        }

        var attribute = (EmbeddingFunctionAttribute?)Attribute.GetCustomAttribute(type, typeof(EmbeddingFunctionAttribute), inherit: true);
        return attribute?.Name ?? (type.FullName ?? type.Name).Replace('+', '.');
    }

    /// <summary>For a model's binding naming a registered generator type, the function over that generator; else null.</summary>
    internal Func<IEmbeddingFunction>? GeneratorFor(EmbeddingBinding binding) =>
        _generators.TryGetValue(binding.FunctionType, out var generator)
            ? () => generator().AsEmbeddingFunction(binding.FunctionName, binding.Dimensions)
            : null;

    /// <summary>Whether a function is registered as <paramref name="name"/>.</summary>
    public bool IsRegistered(string name) => _factories.ContainsKey(name);

    /// <summary>
    /// Creates the function registered as <paramref name="name"/> with <paramref name="configuration"/>;
    /// the caller owns it (and disposes it when it is disposable). String values of the form
    /// <c>$var:NAME</c> (or <c>$var:NAME:default</c>) are replaced before the factory runs by the variable
    /// set with <see cref="SetVar"/>, else the environment variable NAME, else the default; older tables'
    /// <c>$env:NAME</c> by the environment variable. Stored configuration names secrets without holding them.
    /// </summary>
    /// <exception cref="EmbeddingException">No function is registered under that name, or a referenced variable is set nowhere.</exception>
    public IEmbeddingFunction Create(string name, JsonObject? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return FactoryFor(name)(EmbeddingSecrets.Resolve(configuration, name, GetVar));
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
            "Register it before opening the table: registry.AddLanceOrmEmbeddings() (package Lance.Orm.Embeddings) adds 'sentence-transformers', 'huggingface', 'open-clip', 'openai', the hosted providers and 'lance-orm-resnet18'; " +
            "registry.Register(name, factory) adds your own.");
    }
}
