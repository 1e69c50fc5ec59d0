using Lance.Orm;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="LanceDbHealthCheck"/> to a health checks builder.</summary>
public static class LanceDbHealthCheckBuilderExtensions
{
    /// <summary>
    /// Checks the Lance database registered under <paramref name="databaseKey"/> (the default one when null) and,
    /// if given, that each of <paramref name="tables"/> opens and counts its rows.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="databaseKey">The database's service key; null for the default database.</param>
    /// <param name="tables">Tables that must open.</param>
    /// <param name="name">The check's name; <c>lancedb</c> (or <c>lancedb:KEY</c>) by default.</param>
    /// <param name="failureStatus">What a failure reports; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    public static IHealthChecksBuilder AddLanceDb(
        this IHealthChecksBuilder builder, string? databaseKey = null, IReadOnlyList<string>? tables = null, string? name = null,
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name ?? (databaseKey is null ? "lancedb" : "lancedb:" + databaseKey),
            sp => new LanceDbHealthCheck(sp, databaseKey, tables),
            failureStatus,
            tags));
    }
}
