namespace Lance.Engine.Search.Kernels;

/// <summary>
/// The one place a <see cref="DistanceMetric"/> value and a <see cref="KernelWidth"/> become types.
/// Adding a metric is a new <see cref="IDistance"/> struct and one line here.
/// </summary>
internal static class DistanceDispatch
{
    /// <summary>Runs <paramref name="job"/> with the types for <paramref name="metric"/> and <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The metric is not one this engine knows.</exception>
    public static void Run<TJob>(DistanceMetric metric, KernelWidth width, ref TJob job)
        where TJob : IDistanceJob, allows ref struct
    {
        switch (metric)
        {
            case DistanceMetric.L2: Run<TJob, L2Distance>(width, ref job); break;
            case DistanceMetric.Cosine: Run<TJob, CosineDistance>(width, ref job); break;
            case DistanceMetric.Dot: Run<TJob, DotDistance>(width, ref job); break;
            default: throw new ArgumentOutOfRangeException(nameof(metric), metric, $"Unknown distance metric {metric}.");
        }
    }

    private static void Run<TJob, TDistance>(KernelWidth width, ref TJob job)
        where TJob : IDistanceJob, allows ref struct
        where TDistance : IDistance
    {
        switch (width)
        {
            case KernelWidth.Vector512: job.Run<TDistance, Simd512>(); break;
            case KernelWidth.Vector256: job.Run<TDistance, Simd256>(); break;
            case KernelWidth.Vector128: job.Run<TDistance, Simd128>(); break;
            case KernelWidth.Scalar: job.Run<TDistance, ScalarWidth>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, $"Unknown kernel width {width}.");
        }
    }
}
