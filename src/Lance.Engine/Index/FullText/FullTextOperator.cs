namespace Lance.Engine.Index.FullText;

/// <summary>How the terms of a match query combine.</summary>
public enum FullTextOperator
{
    /// <summary>A row matches when it holds any of the terms (LanceDB's default).</summary>
    Or,

    /// <summary>A row matches only when it holds every term.</summary>
    And,
}
