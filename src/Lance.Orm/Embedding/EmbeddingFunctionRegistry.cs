using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Lance.Orm;

/// <summary>
/// Embedding functions by their LanceDB name. A table stores the name and configuration of its
/// function and asks the registry to re-create it on open. Packages register their functions from
/// a module initializer (Lance.Orm.Embeddings registers <c>sentence-transformers</c>); apps can
/// register their own.
/// </summary>
public sealed class EmbeddingFunctionRegistry
{
    private readonly ConcurrentDictionary<string, Func<JsonObject?, IEmbeddingFunction>> _factories = new(StringComparer.Ordinal);
    private const string BuiltInAssembly = "Lance.Orm.Embeddings";
    private readonly ConcurrentDictionary<string, IEmbeddingFunction> _instances = new(StringComparer.Ordinal);
    private int _builtInsLoaded;

    /// <summary>The process-wide registry.</summary>
    public static EmbeddingFunctionRegistry Default { get; } = new();

    /// <summary>The registered names.</summary>
    public IReadOnlyCollection<string> Names => _factories.Keys.ToArray();

    /// <summary>Registers (or replaces) the factory for <paramref name="name"/>.</summary>
    /// <param name="name">The LanceDB name, e.g. <c>sentence-transformers</c>.</param>
    /// <param name="factory">Creates the function from its stored configuration (null for defaults).</param>
    public void Register(string name, Func<JsonObject?, IEmbeddingFunction> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        _factories[name] = factory;
    }

    /// <summary>Whether a function is registered as <paramref name="name"/>.</summary>
    public bool IsRegistered(string name) => _factories.ContainsKey(name);

    /// <summary>
    /// Returns the function registered as <paramref name="name"/> with <paramref name="configuration"/>,
    /// sharing one instance per name and configuration (models are expensive to load). String values
    /// of the form <c>$env:NAME</c> are replaced by that environment variable before the factory runs,
    /// so stored configuration names secrets without holding them.
    /// </summary>
    /// <exception cref="EmbeddingException">No function is registered under that name, or a referenced environment variable is not set.</exception>
    public IEmbeddingFunction GetOrCreate(string name, JsonObject? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_factories.TryGetValue(name, out var factory) && LoadBuiltInFunctions() && _factories.TryGetValue(name, out var loaded))
        {
            factory = loaded;
        }

        if (factory is null)
        {
            var known = _factories.IsEmpty ? "none" : string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal));
            throw new EmbeddingException(
                $"Unknown embedding function '{name}'. Registered functions: {known}. " +
                "Reference the package that provides it (Lance.Orm.Embeddings provides 'sentence-transformers', 'open-clip', 'openai' and 'resnet18') " +
                "or call EmbeddingFunctionRegistry.Default.Register.");
        }

        var key = name + "\n" + (configuration?.ToJsonString() ?? "{}");
        return _instances.GetOrAdd(key, _ => factory(EmbeddingSecrets.Resolve(configuration, name)));
    }

    /// <summary>
    /// LanceDB Python's spelling: <c>registry.Get("open-clip").Create(options)</c>. Returns a creator
    /// for the function registered as <paramref name="name"/>.
    /// </summary>
    /// <exception cref="EmbeddingException">No function is registered under that name.</exception>
    public EmbeddingFunctionCreator Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_factories.ContainsKey(name) && !(LoadBuiltInFunctions() && _factories.ContainsKey(name)))
        {
            GetOrCreate(name); // throws, listing the registered names
        }

        return new EmbeddingFunctionCreator(this, name);
    }

    /// <summary>
    /// Registers the functions of Lance.Orm.Embeddings when that package is deployed with the app but
    /// none of its types has been touched yet (so its module initializer has not run): a table that
    /// stored <c>sentence-transformers</c> then re-creates it in a fresh process with no setup call.
    /// </summary>
    private bool LoadBuiltInFunctions()
    {
        if (!ReferenceEquals(this, Default) || Interlocked.Exchange(ref _builtInsLoaded, 1) == 1)
        {
            return false;
        }

        try
        {
            var assembly = System.Reflection.Assembly.Load(new System.Reflection.AssemblyName(BuiltInAssembly));
            System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>Returns the shared instance for a model's binding, creating it on first use.</summary>
    public IEmbeddingFunction GetOrCreate(EmbeddingBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return _instances.GetOrAdd("type:" + binding.FunctionType.AssemblyQualifiedName, _ => binding.Factory());
    }
}
