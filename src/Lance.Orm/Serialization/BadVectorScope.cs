namespace Lance.Orm.Serialization;

/// <summary>
/// What generated writers do with a vector of the wrong length while an add that asked to fill or
/// null bad vectors converts its rows (<see cref="AddOptions.OnBadVectors"/>). Generated
/// <c>ToRecordBatch</c> code is synchronous, so the choice lives on the converting thread for the
/// span of one call; outside a scope a wrong length throws, as it always has.
/// </summary>
internal static class BadVectorScope
{
    [ThreadStatic]
    private static BadVectorHandling t_handling;

    [ThreadStatic]
    private static float t_fillValue;

    /// <summary>The policy for the current thread: <see cref="BadVectorHandling.Error"/> outside a scope.</summary>
    public static BadVectorHandling Handling => t_handling;

    /// <summary>The fill value for <see cref="BadVectorHandling.Fill"/>.</summary>
    public static float FillValue => t_fillValue;

    /// <summary>Makes wrong-length vectors filled or nulled on this thread until the result is disposed.</summary>
    public static Scope Enter(BadVectorHandling handling, float fillValue)
    {
        var previous = new Scope(t_handling, t_fillValue);
        t_handling = handling;
        t_fillValue = fillValue;
        return previous;
    }

    /// <summary>Restores the policy that was in force before <see cref="Enter"/>.</summary>
    internal readonly struct Scope(BadVectorHandling handling, float fillValue) : IDisposable
    {
        public void Dispose()
        {
            t_handling = handling;
            t_fillValue = fillValue;
        }
    }
}
