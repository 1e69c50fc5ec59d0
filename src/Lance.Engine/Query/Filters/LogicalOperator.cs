namespace Lance.Engine.Query;

/// <summary>How a <see cref="FilterLogical"/> joins its operands.</summary>
public enum LogicalOperator
{
    /// <summary><c>AND</c>.</summary>
    And,

    /// <summary><c>OR</c>.</summary>
    Or,
}
