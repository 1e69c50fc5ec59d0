namespace Lance.Engine.Query.Filtering;

/// <summary><c>coalesce(a, b, ...)</c>: each row's first argument that is not null (null when all are), in their common type.</summary>
internal sealed class BoundCoalesce(IReadOnlyList<BoundNode> arguments, FilterType type, int position) : BoundNode(type, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var args = arguments.Select(a => a.Evaluate(context)).Where(a => a.Kind != ValueKind.Null).ToArray();
        if (args.Length == 0)
        {
            return Scalars.Null(Type);
        }

        var scalar = args.All(a => a.IsScalar);
        var n = scalar ? 1 : context.Length;
        var pick = new int[n];
        var valid = new bool[n];
        for (var i = 0; i < n; i++)
        {
            pick[i] = Array.FindIndex(args, a => a.IsValid(a.IsScalar ? 0 : i));
            valid[i] = pick[i] >= 0;
        }

        T[] Take<T>(Func<ColumnVector, T[]> values)
        {
            var result = new T[n];
            for (var i = 0; i < n; i++)
            {
                if (pick[i] >= 0)
                {
                    var a = args[pick[i]];
                    result[i] = values(a)[a.IsScalar ? 0 : i];
                }
            }

            return result;
        }

        switch (Type.Kind)
        {
            case ValueKind.Boolean:
                return ColumnVector.OfBools(Take(a => a.Bools!), valid, scalar);
            case ValueKind.Float:
                return ColumnVector.OfFloats(Type, Take(a => a.Floats!), valid, scalar);
            case ValueKind.Decimal:
                return ColumnVector.OfDecimals(Type, Take(a => a.Decimals!), valid, scalar);
            case ValueKind.String or ValueKind.Binary:
                var bytes = new Utf8Values.Builder(n, 16 * n);
                for (var i = 0; i < n; i++)
                {
                    var a = pick[i] >= 0 ? args[pick[i]] : null;
                    bytes.Append(a is null ? [] : a.Bytes![a.IsScalar ? 0 : i]);
                }

                return ColumnVector.OfBytes(Type, bytes.Build(), valid, scalar);
            default: // integers, dates, timestamps, times
                return ColumnVector.OfInts(Type, Take(a => a.Ints!), valid, scalar);
        }
    }
}
