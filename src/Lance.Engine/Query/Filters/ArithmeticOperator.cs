namespace Lance.Engine.Query;

/// <summary>How a <see cref="FilterArithmetic"/> combines its operands.</summary>
public enum ArithmeticOperator
{
    /// <summary><c>+</c>.</summary>
    Add,

    /// <summary><c>-</c>.</summary>
    Subtract,

    /// <summary><c>*</c>.</summary>
    Multiply,

    /// <summary><c>/</c> (truncating toward zero when both sides are integers).</summary>
    Divide,

    /// <summary><c>%</c> (the remainder takes the sign of the dividend).</summary>
    Modulo,
}
