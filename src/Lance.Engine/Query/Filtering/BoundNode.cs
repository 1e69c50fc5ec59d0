namespace Lance.Engine.Query.Filtering;

/// <summary>A node of a filter that has been checked against a schema: it knows its type and evaluates a whole batch at once.</summary>
internal abstract class BoundNode(FilterType type, int position)
{
    public FilterType Type { get; } = type;

    public int Position { get; } = position;

    public abstract ColumnVector Evaluate(EvaluationContext context);

    /// <summary>
    /// Whether evaluating this node can never raise an error (no cast, arithmetic or function below it):
    /// then <see cref="BoundLogical"/> may run it over every row instead of only the rows its left side
    /// leaves undecided, which gives the same answer without gathering those rows first.
    /// </summary>
    public virtual bool CannotFail => false;

    /// <summary>The same vector with one value per row (scalars broadcast).</summary>
    public static ColumnVector Expand(ColumnVector v, int length)
    {
        if (!v.IsScalar)
        {
            return v;
        }

        bool[]? valid = v.Valid is null ? null : Fill(v.Valid[0], length);
        return v.Kind switch
        {
            ValueKind.Boolean => ColumnVector.OfBools(Fill(v.Bools![0], length), valid),
            ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time => ColumnVector.OfInts(v.Type, Fill(v.Ints![0], length), valid),
            ValueKind.Float => ColumnVector.OfFloats(v.Type, Fill(v.Floats![0], length), valid),
            ValueKind.Decimal => ColumnVector.OfDecimals(v.Type, Fill(v.Decimals![0], length), valid),
            ValueKind.String or ValueKind.Binary => ColumnVector.OfBytes(v.Type, Repeat(v.Bytes!, length), valid),
            _ => ColumnVector.Nulls(v.Type, length),
        };
    }

    private static Utf8Values Repeat(Utf8Values single, int length)
    {
        var value = single[0];
        var builder = new Utf8Values.Builder(length, value.Length * length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(value);
        }

        return builder.Build();
    }

    public static T[] Fill<T>(T value, int length)
    {
        var result = new T[length];
        System.Array.Fill(result, value);
        return result;
    }

    /// <summary>The validity of a result computed from two inputs: valid where both are.</summary>
    public static bool[]? BothValid(ColumnVector a, ColumnVector b, int length)
    {
        if (a.Valid is null && b.Valid is null)
        {
            return null;
        }

        var result = new bool[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = a.IsValid(i) & b.IsValid(i);
        }

        return result;
    }
}
