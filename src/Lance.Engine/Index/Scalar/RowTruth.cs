namespace Lance.Engine.Index.Scalar;

/// <summary>
/// A filter's three-valued answer for each row of one fragment: true where <see cref="True"/> is set,
/// unknown (SQL NULL) where <see cref="Unknown"/> is set, false elsewhere. Combined with Kleene logic,
/// as SQL combines AND, OR and NOT.
/// </summary>
internal sealed class RowTruth(bool[] isTrue, bool[] unknown)
{
    /// <summary>Rows where the filter is true.</summary>
    public bool[] True { get; } = isTrue;

    /// <summary>Rows where the filter is null.</summary>
    public bool[] Unknown { get; } = unknown;

    /// <summary><c>a AND b</c>: true where both are, false where either is, else unknown.</summary>
    public static RowTruth And(RowTruth a, RowTruth b)
    {
        var n = a.True.Length;
        var t = new bool[n];
        var u = new bool[n];
        for (var i = 0; i < n; i++)
        {
            t[i] = a.True[i] & b.True[i];
            u[i] = !t[i] & (a.True[i] | a.Unknown[i]) & (b.True[i] | b.Unknown[i]);
        }

        return new RowTruth(t, u);
    }

    /// <summary><c>a OR b</c>: true where either is, false where both are, else unknown.</summary>
    public static RowTruth Or(RowTruth a, RowTruth b)
    {
        var n = a.True.Length;
        var t = new bool[n];
        var u = new bool[n];
        for (var i = 0; i < n; i++)
        {
            t[i] = a.True[i] | b.True[i];
            u[i] = !t[i] & (a.Unknown[i] | b.Unknown[i]);
        }

        return new RowTruth(t, u);
    }

    /// <summary><c>NOT a</c>: true where a is false; unknown stays unknown.</summary>
    public static RowTruth Not(RowTruth a)
    {
        var n = a.True.Length;
        var t = new bool[n];
        for (var i = 0; i < n; i++)
        {
            t[i] = !a.True[i] & !a.Unknown[i];
        }

        return new RowTruth(t, a.Unknown);
    }
}
