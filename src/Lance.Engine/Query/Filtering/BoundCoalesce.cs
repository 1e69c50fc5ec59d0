namespace Lance.Engine.Query.Filtering;

/// <summary>
/// <c>coalesce(a, b, ...)</c>: each row's first argument that is not null (null when all are), in their common type.
/// As in DataFusion (which runs it as <c>CASE WHEN a IS NOT NULL THEN a ELSE ... END</c>) an argument is evaluated
/// only for the rows the ones before it left null, so an error it would raise on other rows (a division by zero,
/// an overflow) is not raised.
/// </summary>
internal sealed class BoundCoalesce(IReadOnlyList<BoundNode> arguments, FilterType type, int position) : BoundNode(type, position)
{
    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var valid = new bool[n];
        var ints = Type.Kind is ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time ? new long[n] : null;
        var floats = Type.Kind == ValueKind.Float ? new double[n] : null;
        var decimals = Type.Kind == ValueKind.Decimal ? new System.Numerics.BigInteger[n] : null;
        var bools = Type.Kind == ValueKind.Boolean ? new bool[n] : null;
        var bytes = Type.Kind is ValueKind.String or ValueKind.Binary ? new byte[n][] : null;
        int[]? pending = null; // the rows still null; all of them at first
        foreach (var argument in arguments)
        {
            var rows = pending ?? Enumerable.Range(0, n).ToArray();
            if (rows.Length == 0)
            {
                break;
            }

            var v = argument.Evaluate(pending is null ? context : context.Subset(rows));
            if (v.Kind == ValueKind.Null)
            {
                continue;
            }

            var left = new List<int>();
            for (var j = 0; j < rows.Length; j++)
            {
                var at = v.IsScalar ? 0 : j;
                var row = rows[j];
                if (!v.IsValid(at))
                {
                    left.Add(row);
                    continue;
                }

                valid[row] = true;
                if (ints is not null) ints[row] = v.Ints![at];
                else if (floats is not null) floats[row] = v.Floats![at];
                else if (decimals is not null) decimals[row] = v.Decimals![at];
                else if (bools is not null) bools[row] = v.Bools![at];
                else bytes![row] = v.Bytes![at].ToArray();
            }

            pending = [.. left];
        }

        if (bytes is not null)
        {
            var built = new Utf8Values.Builder(n, 16 * n);
            foreach (var value in bytes)
            {
                built.Append(value ?? []);
            }

            return ColumnVector.OfBytes(Type, built.Build(), valid);
        }

        return Type.Kind switch
        {
            ValueKind.Boolean => ColumnVector.OfBools(bools!, valid),
            ValueKind.Float => ColumnVector.OfFloats(Type, floats!, valid),
            ValueKind.Decimal => ColumnVector.OfDecimals(Type, decimals!, valid),
            ValueKind.Null => Scalars.Null(Type),
            _ => ColumnVector.OfInts(Type, ints!, valid),
        };
    }
}
