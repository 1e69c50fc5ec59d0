using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lance.Orm;

/// <summary>
/// Healthy when the database (the default one, or the one registered under a key) opens and lists its
/// tables, and every table named in <c>tables</c> opens and counts its rows; the data says how many.
/// Register with <c>services.AddHealthChecks().AddLanceDb()</c>.
/// </summary>
public sealed class LanceDbHealthCheck : IHealthCheck
{
    private readonly IServiceProvider _services;
    private readonly string? _key;
    private readonly IReadOnlyList<string> _tables;

    /// <summary>Checks the database registered under <paramref name="key"/> (the default one when null) and the tables <paramref name="tables"/>.</summary>
    public LanceDbHealthCheck(IServiceProvider services, string? key = null, IReadOnlyList<string>? tables = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        _key = key;
        _tables = tables ?? [];
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var which = _key is null ? "The Lance database" : $"The Lance database '{_key}'";
        try
        {
            var database = _key is null ? _services.GetRequiredService<Database>() : _services.GetRequiredKeyedService<Database>(_key);
            var names = await database.TableNamesAsync(cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["uri"] = database.Uri, ["tables"] = names.Count };
            foreach (var name in _tables)
            {
                var table = await database.OpenTableAsync(name, cancellationToken).ConfigureAwait(false);
                await using (table.ConfigureAwait(false))
                {
                    data["rows." + name] = await table.CountRowsAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return HealthCheckResult.Healthy($"{which} at '{database.Uri}' has {names.Count} table(s).", data);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{which} is not usable: {e.Message}", e);
        }
    }
}
