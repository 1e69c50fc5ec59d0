namespace Lance.Engine.Index.FullText;

/// <summary>How a clause of a <see cref="BooleanQuery"/> takes part.</summary>
public enum Occur
{
    /// <summary>Rows matching the clause are returned (when no clause is <see cref="Must"/>) and gain its score.</summary>
    Should,

    /// <summary>Rows must match the clause.</summary>
    Must,

    /// <summary>Rows matching the clause are left out.</summary>
    MustNot,
}
