using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Engine.Arrow;

/// <summary>
/// The engine's Arrow helpers that callers above it need, for every type the engine stores (nested
/// and dictionary types included): taking rows, joining arrays, empty arrays, comparing and naming
/// types. Apache.Arrow for .NET has none of these.
/// </summary>
public static class ArrowArrays
{
    /// <summary>A batch of the rows <paramref name="rows"/> (indices, in that order, repeats allowed) of <paramref name="batch"/>.</summary>
    public static RecordBatch Take(RecordBatch batch, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return ArrowTake.Take(batch, rows);
    }

    /// <summary>An array of the rows <paramref name="rows"/> (indices, in that order, repeats allowed) of <paramref name="array"/>.</summary>
    public static IArrowArray Take(IArrowArray array, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(array);
        return ArrowTake.Take(array, rows);
    }

    /// <summary>The rows of <paramref name="arrays"/>, in order, as one array.</summary>
    /// <exception cref="ArgumentException">No arrays, or arrays of different types.</exception>
    public static IArrowArray Concatenate(IReadOnlyList<IArrowArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        return ArrowConcat.Concatenate(arrays);
    }

    /// <summary>An array of <paramref name="type"/> with no rows.</summary>
    public static IArrowArray Empty(IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return ArrowEmpty.Create(type);
    }

    /// <summary>An array of <paramref name="type"/> holding <paramref name="length"/> nulls.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static IArrowArray Nulls(IArrowType type, int length)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return ArrowEmpty.CreateNulls(type, length);
    }

    /// <summary>Whether two Arrow types are the same, structurally (Arrow's .NET types do not implement equality).</summary>
    public static bool SameType(IArrowType a, IArrowType b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return SchemaAlignment.SameType(a, b);
    }

    /// <summary>A type as LanceDB users read it, e.g. <c>fixed_size_list&lt;float&gt;[384]</c>, for error messages.</summary>
    public static string Describe(IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return SchemaAlignment.Describe(type);
    }
}
