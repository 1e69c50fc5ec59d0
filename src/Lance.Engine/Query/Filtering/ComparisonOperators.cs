using System.Numerics;

namespace Lance.Engine.Query.Filtering;

/// <summary>A comparison operator as a type, so each loop is compiled for one operator.</summary>
internal interface IComparison
{
    static abstract bool Test<T>(T a, T b)
        where T : IComparisonOperators<T, T, bool>;
}

internal readonly struct EqualOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a == b;
}

internal readonly struct NotEqualOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a != b;
}

internal readonly struct LessOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a < b;
}

internal readonly struct LessOrEqualOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a <= b;
}

internal readonly struct GreaterOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a > b;
}

internal readonly struct GreaterOrEqualOp : IComparison
{
    public static bool Test<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a >= b;
}
