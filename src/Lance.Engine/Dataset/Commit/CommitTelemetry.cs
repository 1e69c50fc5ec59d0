using System.Diagnostics;

namespace Lance.Engine.Dataset;

/// <summary>
/// The engine's span for each attempt to publish a version (every commit, index build and table creation
/// ends in one; a writer that lost a race shows a second attempt), on an activity source named like the
/// ORM's (<c>"Lance.Orm"</c>) so one subscription sees both; started only when someone listens.
/// </summary>
internal static class CommitTelemetry
{
    private static readonly ActivitySource Source = new("Lance.Orm", typeof(CommitTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>A <c>commit</c> span publishing <paramref name="version"/> for <paramref name="operation"/> on the dataset at <paramref name="location"/>; null when nobody listens.</summary>
    public static Activity? Start(string location, string operation, ulong version)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("commit", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "lancedb");
            activity.SetTag("lance.dataset", location);
            activity.SetTag("lance.commit.operation", operation);
            activity.SetTag("lance.version", (long)version);
        }

        return activity;
    }
}
