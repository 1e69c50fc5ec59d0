using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lance.Orm;

/// <summary>
/// Configures one database registered with <c>AddLanceDb</c>: its embedding registry (functions and
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>s from the container) and its typed tables as services.
/// </summary>
public sealed class LanceDbBuilder
{
    internal LanceDbBuilder(IServiceCollection services, string? key)
    {
        Services = services;
        Key = key;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The database's service key (<c>AddKeyedLanceDb</c>), or null for the default database.</summary>
    public string? Key { get; }

    internal string OptionsName => Key ?? Microsoft.Extensions.Options.Options.DefaultName;

    /// <summary>Adjusts the database's options in code (after configuration is bound).</summary>
    public LanceDbBuilder Configure(Action<LanceDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(OptionsName, configure);
        return this;
    }

    /// <summary>
    /// Adds to the database's own embedding registry (each database has one):
    /// <c>r =&gt; r.AddLanceOrmEmbeddings()</c> registers Lance.Orm.Embeddings' functions by name.
    /// </summary>
    public LanceDbBuilder ConfigureRegistry(Action<IServiceProvider, EmbeddingFunctionRegistry> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<LanceDbRegistrations>(OptionsName, r => r.Actions.Add(configure));
        return this;
    }

    /// <summary>Adds to the database's own embedding registry; see <see cref="ConfigureRegistry(Action{IServiceProvider, EmbeddingFunctionRegistry})"/>.</summary>
    public LanceDbBuilder ConfigureRegistry(Action<EmbeddingFunctionRegistry> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return ConfigureRegistry((_, registry) => configure(registry));
    }

    /// <summary>Registers an embedding function under <paramref name="name"/>, created by the container for tables that store that name.</summary>
    public LanceDbBuilder AddEmbeddingFunction(string name, Func<IServiceProvider, JsonObject?, IEmbeddingFunction> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        return ConfigureRegistry((sp, registry) => registry.Register(name, configuration => factory(sp, configuration)));
    }

    /// <summary>
    /// Makes the container build <typeparamref name="TFunction"/> (its constructor's services injected) both
    /// for models that declare it (<c>[Vector(typeof(TFunction))]</c>) and for tables that store its
    /// <see cref="EmbeddingFunctionAttribute"/> name.
    /// </summary>
    public LanceDbBuilder AddEmbeddingFunction<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TFunction>()
        where TFunction : class, IEmbeddingFunction
    {
        var name = typeof(TFunction).GetCustomAttribute<EmbeddingFunctionAttribute>(inherit: true)?.Name;
        return ConfigureRegistry((sp, registry) =>
        {
            registry.RegisterForModels(typeof(TFunction), () => ActivatorUtilities.CreateInstance<TFunction>(sp));
            if (name is not null)
            {
                registry.Register(name, _ => ActivatorUtilities.CreateInstance<TFunction>(sp));
            }
        });
    }

    /// <summary>
    /// Registers the container's <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> (keyed by
    /// <paramref name="generatorKey"/> when given) as the embedding function <paramref name="name"/>: tables
    /// created with <c>generator.AsEmbeddingFunction(name)</c> find it again when opened.
    /// </summary>
    /// <param name="name">The registry name stored with tables.</param>
    /// <param name="dimensions">The embedding size; from the generator's metadata when null.</param>
    /// <param name="generatorKey">The generator's service key; the unkeyed generator when null.</param>
    public LanceDbBuilder AddEmbeddingGenerator(string name, int? dimensions = null, object? generatorKey = null)
        => AddEmbeddingFunction(name, (sp, configuration) =>
        {
            var generator = generatorKey is null
                ? sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>()
                : sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(generatorKey);
            return generator.AsEmbeddingFunction(name, dimensions, configuration);
        });

    /// <summary>
    /// Makes models that name <typeparamref name="TGenerator"/> (<c>[Vector(typeof(TGenerator), 384)]</c>, or
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> itself for the container's generator) embed
    /// with the container's <typeparamref name="TGenerator"/> service (keyed by <paramref name="generatorKey"/>
    /// when given); the container keeps owning it.
    /// </summary>
    /// <param name="name">The name untyped opens of tables find it by; by default the name models store for <typeparamref name="TGenerator"/>.</param>
    /// <param name="dimensions">For untyped opens: the embedding size, when the generator's metadata does not report it.</param>
    /// <param name="generatorKey">The generator's service key; the unkeyed service when null.</param>
    public LanceDbBuilder AddEmbeddingGenerator<TGenerator>(string? name = null, int? dimensions = null, object? generatorKey = null)
        where TGenerator : class, IEmbeddingGenerator<string, Embedding<float>>
        => ConfigureRegistry((sp, registry) => registry.RegisterEmbeddingGenerator(
            () => generatorKey is null ? sp.GetRequiredService<TGenerator>() : sp.GetRequiredKeyedService<TGenerator>(generatorKey), name, dimensions));

    /// <summary>
    /// Registers the table <paramref name="tableName"/> of this database as a singleton <see cref="Table{T}"/>
    /// (keyed by <paramref name="serviceKey"/>, else by the database's key). Resolving it opens the table,
    /// creating it empty first when it does not exist; the container disposes it.
    /// </summary>
    public LanceDbBuilder AddTable<T>(string tableName, object? serviceKey = null)
        where T : ILanceModel<T>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        var databaseKey = Key;
        var key = serviceKey ?? Key;
        Func<IServiceProvider, Table<T>> factory = sp =>
        {
            var database = databaseKey is null ? sp.GetRequiredService<Database>() : sp.GetRequiredKeyedService<Database>(databaseKey);
            return LanceDbServices.OpenOrCreateAsync<T>(database, tableName).GetAwaiter().GetResult();
        };
        if (key is null)
        {
            Services.TryAddSingleton(factory);
        }
        else
        {
            Services.TryAddKeyedSingleton(key, (sp, _) => factory(sp));
        }

        return this;
    }
}
