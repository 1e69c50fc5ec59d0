using System.Runtime.ExceptionServices;

namespace Lance.Engine;

/// <summary>
/// <see cref="Parallel.For(int, int, Action{int})"/> and its overloads, throwing what a body threw (a
/// <c>LanceFilterException</c>, a storage or format error, a cancellation) rather than the loop's
/// <see cref="AggregateException"/>, so that work split over threads fails with the same typed error as
/// the same work done on one.
/// </summary>
internal static class ParallelLoops
{
    /// <summary>Runs <paramref name="body"/> for every index in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static void For(int from, int to, Action<int> body)
        => Unwrapped(() => Parallel.For(from, to, body));

    /// <summary>Runs <paramref name="body"/> for every index in [<paramref name="from"/>, <paramref name="to"/>) under <paramref name="options"/>.</summary>
    public static void For(int from, int to, ParallelOptions options, Action<int> body)
        => Unwrapped(() => Parallel.For(from, to, options, body));

    /// <summary>Runs <paramref name="body"/> for every index with state local to each worker, as the matching <see cref="Parallel"/> overload.</summary>
    public static void For<TLocal>(
        int from, int to, Func<TLocal> localInit, Func<int, ParallelLoopState, TLocal, TLocal> body, Action<TLocal> localFinally)
        => Unwrapped(() => Parallel.For(from, to, localInit, body, localFinally));

    /// <summary>Runs <paramref name="body"/> for every index with state local to each worker, under <paramref name="options"/>.</summary>
    public static void For<TLocal>(
        int from, int to, ParallelOptions options, Func<TLocal> localInit, Func<int, ParallelLoopState, TLocal, TLocal> body, Action<TLocal> localFinally)
        => Unwrapped(() => Parallel.For(from, to, options, localInit, body, localFinally));

    private static void Unwrapped(Action loop)
    {
        try
        {
            loop();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
