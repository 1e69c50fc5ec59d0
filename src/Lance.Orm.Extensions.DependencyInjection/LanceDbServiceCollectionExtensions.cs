using Lance.Orm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Lance databases: <c>services.AddLanceDb(configuration.GetSection("LanceDb"))</c> makes a singleton
/// <see cref="Database"/> (and its <see cref="EmbeddingFunctionRegistry"/>); <c>AddKeyedLanceDb("name", …)</c>
/// registers more, resolved with <c>[FromKeyedServices("name")]</c>. Options are named options of
/// <see cref="LanceDbOptions"/> (<c>IOptionsMonitor&lt;LanceDbOptions&gt;.Get(key)</c>).
/// </summary>
public static class LanceDbServiceCollectionExtensions
{
    /// <summary>Registers the default database, its options bound from <paramref name="configuration"/> (a section such as <c>"LanceDb"</c>).</summary>
    public static LanceDbBuilder AddLanceDb(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Add(services, null).Bind(configuration);
    }

    /// <summary>Registers the default database, configured in code.</summary>
    public static LanceDbBuilder AddLanceDb(this IServiceCollection services, Action<LanceDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Add(services, null).Configure(configure);
    }

    /// <summary>Registers the default database at <paramref name="uri"/> (a folder, or an object-store URI).</summary>
    public static LanceDbBuilder AddLanceDb(this IServiceCollection services, string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        return services.AddLanceDb(o => o.Uri = uri);
    }

    /// <summary>Registers the database <paramref name="key"/>, its options bound from <paramref name="configuration"/>.</summary>
    public static LanceDbBuilder AddKeyedLanceDb(this IServiceCollection services, string key, IConfiguration configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(configuration);
        return Add(services, key).Bind(configuration);
    }

    /// <summary>Registers the database <paramref name="key"/>, configured in code.</summary>
    public static LanceDbBuilder AddKeyedLanceDb(this IServiceCollection services, string key, Action<LanceDbOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(configure);
        return Add(services, key).Configure(configure);
    }

    private static LanceDbBuilder Bind(this LanceDbBuilder builder, IConfiguration configuration)
    {
        builder.Services.Configure<LanceDbOptions>(builder.OptionsName, configuration);
        return builder;
    }

    private static LanceDbBuilder Add(IServiceCollection services, string? key)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        var builder = new LanceDbBuilder(services, key);
        var name = builder.OptionsName;
        if (key is null)
        {
            services.TryAddSingleton(sp => LanceDbServices.CreateRegistry(sp, name));
            services.TryAddSingleton(sp => LanceDbServices.Connect(sp, name, null, sp.GetRequiredService<EmbeddingFunctionRegistry>()));
        }
        else
        {
            services.TryAddKeyedSingleton(key, (sp, _) => LanceDbServices.CreateRegistry(sp, name));
            services.TryAddKeyedSingleton(key, (sp, _) => LanceDbServices.Connect(sp, name, key, sp.GetRequiredKeyedService<EmbeddingFunctionRegistry>(key)));
        }

        return builder;
    }
}
