using System.Text.Json.Nodes;

namespace Lance.Orm;

/// <summary>
/// The embedding functions one <see cref="Database"/> has made for its tables, shared between them
/// (models are expensive to load) and disposed with the database. A function is found by its
/// model's CLR type (typed tables) or by its name and configuration (tables opened untyped); one a
/// typed table made is found by name too, so a table reopened untyped in the same database reuses it.
/// </summary>
internal sealed class EmbeddingModels(EmbeddingFunctionRegistry registry, Func<string> owner) : IAsyncDisposable
{
    private readonly Dictionary<string, IEmbeddingFunction> _byKey = new(StringComparer.Ordinal);
    private readonly List<IEmbeddingFunction> _owned = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>The registry functions are created from by name.</summary>
    public EmbeddingFunctionRegistry Registry { get; } = registry;

    /// <summary>The function a model declares (one instance per function type in this database).</summary>
    public IEmbeddingFunction For(EmbeddingBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var typeKey = "type:" + binding.FunctionType.AssemblyQualifiedName;
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_byKey.TryGetValue(typeKey, out var existing))
            {
                return existing;
            }
        }

        var created = (Registry.ForModels(binding.FunctionType) ?? Registry.GeneratorFor(binding) ?? binding.Factory)();
        return Keep(typeKey, created, NameKey(created.Name, created.GetConfiguration()));
    }

    /// <summary>The function registered as <paramref name="name"/> with <paramref name="configuration"/> (one instance per name and configuration).</summary>
    /// <exception cref="EmbeddingException">No function is registered under that name, or a referenced environment variable is not set.</exception>
    public IEmbeddingFunction For(string name, JsonObject? configuration)
    {
        var key = NameKey(name, configuration);
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_byKey.TryGetValue(key, out var existing))
            {
                return existing;
            }
        }

        return Keep(key, Registry.Create(name, configuration), null);
    }

    /// <summary>Disposes every function this database made, once; later lookups throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        List<IEmbeddingFunction> owned;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            owned = [.. _owned];
            _owned.Clear();
            _byKey.Clear();
        }

        foreach (var function in owned.Distinct(ReferenceEqualityComparer.Instance).Cast<IEmbeddingFunction>())
        {
            switch (function)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private IEmbeddingFunction Keep(string key, IEmbeddingFunction created, string? alsoKey)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                (created as IDisposable)?.Dispose();
                ThrowIfDisposed();
            }

            if (_byKey.TryGetValue(key, out var raced))
            {
                // Another caller made one first: theirs is kept, this one is not needed.
                if (!ReferenceEquals(raced, created) && !_owned.Contains(created))
                {
                    (created as IDisposable)?.Dispose();
                }

                return raced;
            }

            _byKey[key] = created;
            if (alsoKey is not null)
            {
                _byKey.TryAdd(alsoKey, created);
            }

            _owned.Add(created);
            return created;
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(owner(), $"{owner()} has been disposed, and with it the embedding models its tables used.");
        }
    }

    private static string NameKey(string name, JsonObject? configuration) => name + "\n" + (configuration?.ToJsonString() ?? "{}");
}
