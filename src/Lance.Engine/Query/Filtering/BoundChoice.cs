namespace Lance.Engine.Query.Filtering;

/// <summary>
/// <c>greatest(a, b, ...)</c>, <c>least(a, b, ...)</c> and <c>nullif(a, b)</c> in their arguments' common type.
/// <c>greatest</c>/<c>least</c> skip nulls (null only when every argument is) and order floats totally, as
/// DataFusion's comparison kernels do (NaN above every number, <c>-0.0</c> below <c>0.0</c>); <c>nullif</c> is null
/// where <c>a = b</c> by that same equality, else <c>a</c>.
/// </summary>
internal sealed class BoundChoice(string name, IReadOnlyList<BoundNode> arguments, FilterType type, int position) : BoundNode(type, position)
{
    /// <summary>The functions, with the least and most arguments each takes.</summary>
    public static readonly IReadOnlyDictionary<string, (int Min, int Max)> Arity = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["greatest"] = (1, int.MaxValue),
        ["least"] = (1, int.MaxValue),
        ["nullif"] = (2, 2),
    };

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var args = arguments.Select(a => a.Evaluate(context)).ToArray();
        if (Type.Kind == ValueKind.Null || (name == "nullif" && args[0].Kind == ValueKind.Null))
        {
            return Scalars.Null(Type);
        }

        var kind = Type.Kind;
        var valid = new bool[n];
        var chosen = new (int Arg, int At)[n];
        for (var i = 0; i < n; i++)
        {
            if (name == "nullif")
            {
                var (a, b) = (args[0], args[1]);
                var (ia, ib) = (a.IsScalar ? 0 : i, b.IsScalar ? 0 : i);
                valid[i] = a.IsValid(i) && !(b.Kind != ValueKind.Null && b.IsValid(i) && Compare(a, ia, b, ib) == 0);
                chosen[i] = (0, ia);
                continue;
            }

            for (var k = 0; k < args.Length; k++)
            {
                var v = args[k];
                if (v.Kind == ValueKind.Null || !v.IsValid(i))
                {
                    continue;
                }

                var at = v.IsScalar ? 0 : i;
                if (!valid[i])
                {
                    (valid[i], chosen[i]) = (true, (k, at));
                    continue;
                }

                var c = Compare(v, at, args[chosen[i].Arg], chosen[i].At);
                if (name == "greatest" ? c > 0 : c < 0)
                {
                    chosen[i] = (k, at);
                }
            }
        }

        return Gather(args, chosen, valid, kind, n);
    }

    // The chosen value of each row, in the result's type (every argument was converted to it when bound).
    private ColumnVector Gather(ColumnVector[] args, (int Arg, int At)[] chosen, bool[] valid, ValueKind kind, int n)
    {
        switch (kind)
        {
            case ValueKind.Float:
            {
                var values = new double[n];
                for (var i = 0; i < n; i++) if (valid[i]) values[i] = args[chosen[i].Arg].Floats![chosen[i].At];
                return ColumnVector.OfFloats(Type, values, valid);
            }

            case ValueKind.Decimal:
            {
                var values = new System.Numerics.BigInteger[n];
                for (var i = 0; i < n; i++) if (valid[i]) values[i] = args[chosen[i].Arg].Decimals![chosen[i].At];
                return ColumnVector.OfDecimals(Type, values, valid);
            }

            case ValueKind.Boolean:
            {
                var values = new bool[n];
                for (var i = 0; i < n; i++) if (valid[i]) values[i] = args[chosen[i].Arg].Bools![chosen[i].At];
                return ColumnVector.OfBools(values, valid);
            }

            case ValueKind.String or ValueKind.Binary:
            {
                var built = new Utf8Values.Builder(n, 16 * n);
                for (var i = 0; i < n; i++)
                {
                    built.Append(valid[i] ? args[chosen[i].Arg].Bytes![chosen[i].At] : default);
                }

                return ColumnVector.OfBytes(Type, built.Build(), valid);
            }

            default: // integers, dates, timestamps, times
            {
                var values = new long[n];
                for (var i = 0; i < n; i++) if (valid[i]) values[i] = args[chosen[i].Arg].Ints![chosen[i].At];
                return ColumnVector.OfInts(Type, values, valid);
            }
        }
    }

    private int Compare(ColumnVector a, int ia, ColumnVector b, int ib) => Type.Kind switch
    {
        ValueKind.Float => NumericTypes.TotalOrderKey(a.Floats![ia]).CompareTo(NumericTypes.TotalOrderKey(b.Floats![ib])),
        ValueKind.Decimal => a.Decimals![ia].CompareTo(b.Decimals![ib]),
        ValueKind.Boolean => a.Bools![ia].CompareTo(b.Bools![ib]),
        ValueKind.String or ValueKind.Binary => a.Bytes![ia].SequenceCompareTo(b.Bytes![ib]),
        _ when Type.Number == NumberType.UInt64 => ((ulong)a.Ints![ia]).CompareTo((ulong)b.Ints![ib]),
        _ => a.Ints![ia].CompareTo(b.Ints![ib]),
    };
}
