
namespace Lance.Engine.Query.Filtering;

/// <summary>
/// DataFusion's list functions over a list column: <c>array_has(list, x)</c>, <c>array_has_any(list, [..])</c>,
/// <c>array_has_all(list, [..])</c> and <c>array_length(list)</c> (with their <c>list_*</c> and
/// <c>array_contains</c> aliases). Items and needles are compared in their common type by total order
/// (so <c>-0.0</c> is not <c>0</c> and NaN finds NaN). A null list gives null, except that every list
/// has all of <c>[]</c> and none of <c>[]</c>; <c>array_has(list, NULL)</c> is null, while a null in the
/// needles of <c>array_has_any</c>/<c>array_has_all</c> finds a null item.
/// </summary>
internal sealed class BoundListFunction : BoundNode
{
    private readonly string _name;
    private readonly BoundNode _list;
    private readonly FilterType _itemType;
    private readonly BoundNode? _needle;
    private readonly IReadOnlyList<BoundLiteral> _needles;

    public BoundListFunction(string name, BoundNode list, FilterType itemType, BoundNode? needle, IReadOnlyList<BoundLiteral> needles, int position)
        : base(name == "array_length" ? FilterType.Of(NumberType.UInt64) : FilterType.Boolean, position)
    {
        _name = name;
        _list = list;
        _itemType = itemType;
        _needle = needle;
        _needles = needles;
    }

    /// <summary>The function names, each with the canonical name it stands for.</summary>
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["array_has"] = "array_has",
        ["array_contains"] = "array_has",
        ["list_has"] = "array_has",
        ["array_has_any"] = "array_has_any",
        ["list_has_any"] = "array_has_any",
        ["array_has_all"] = "array_has_all",
        ["list_has_all"] = "array_has_all",
        ["array_length"] = "array_length",
        ["list_length"] = "array_length",
        ["array_element"] = "array_element",
        ["array_extract"] = "array_element",
        ["list_element"] = "array_element",
        ["list_extract"] = "array_element",
    };

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var n = context.Length;
        var list = _list.Evaluate(context);
        if (list.Kind == ValueKind.Null)
        {
            return Scalars.Null(Type);
        }

        var offsets = list.ListOffsets!;
        if (_name == "array_length")
        {
            var lengths = new long[n];
            for (var i = 0; i < n; i++)
            {
                lengths[i] = offsets[i + 1] - offsets[i];
            }

            return ColumnVector.OfInts(Type, lengths, list.Valid);
        }

        if (_name != "array_has" && _needles.Count == 0)
        {
            // Every list (a null one too) has all of nothing and any of nothing.
            return ColumnVector.OfBools(BoundNode.Fill(_name == "array_has_all", n), null);
        }

        var items = Convert(list.Items, context);
        var result = new bool[n];
        var valid = new bool[n];
        if (_name == "array_has")
        {
            var needle = Convert(_needle!.Evaluate(context), context);
            for (var i = 0; i < n; i++)
            {
                valid[i] = list.IsValid(i) && needle.IsValid(i);
                if (!valid[i])
                {
                    continue;
                }

                for (var j = offsets[i]; j < offsets[i + 1] && !result[i]; j++)
                {
                    result[i] = items.IsValid(j) && ValueEquals(items, j, needle, needle.IsScalar ? 0 : i);
                }
            }

            return ColumnVector.OfBools(result, valid);
        }

        var needles = _needles.Select(l => Convert(l.Scalar, context)).ToList();
        var all = _name == "array_has_all";
        for (var i = 0; i < n; i++)
        {
            valid[i] = list.IsValid(i);
            if (!valid[i])
            {
                continue;
            }

            var foundAll = true;
            var foundAny = false;
            foreach (var needle in needles)
            {
                var found = false;
                for (var j = offsets[i]; j < offsets[i + 1] && !found; j++)
                {
                    found = needle.IsValid(0) ? items.IsValid(j) && ValueEquals(items, j, needle, 0) : !items.IsValid(j);
                }

                foundAll &= found;
                foundAny |= found;
            }

            result[i] = all ? foundAll : foundAny;
        }

        return ColumnVector.OfBools(result, valid);
    }

    // Items and needles meet in the item type the binder chose.
    private ColumnVector Convert(ColumnVector v, EvaluationContext context)
    {
        if (v.Kind == ValueKind.Null || v.Type == _itemType || _itemType.Kind is not (ValueKind.Integer or ValueKind.Float or ValueKind.Decimal))
        {
            return v;
        }

        return new BoundCast(new BoundVector(v), _itemType, _itemType.Describe(), Position).Evaluate(context);
    }

    /// <summary>Whether two values of one type are equal as Arrow compares them (floats bit for bit, i.e. by total order).</summary>
    public static bool ValueEquals(ColumnVector a, int i, ColumnVector b, int j) => a.Kind switch
    {
        ValueKind.Float => BitConverter.DoubleToInt64Bits(a.Floats![i]) == BitConverter.DoubleToInt64Bits(b.Floats![j]),
        ValueKind.Decimal => a.Decimals![i] == b.Decimals![j],
        ValueKind.Boolean => a.Bools![i] == b.Bools![j],
        ValueKind.String or ValueKind.Binary => a.Bytes![i].SequenceEqual(b.Bytes![j]),
        ValueKind.Integer or ValueKind.Date or ValueKind.Timestamp or ValueKind.Time => a.Ints![i] == b.Ints![j],
        _ => false,
    };

    /// <summary>An already computed vector as a node, so the conversions can run over list items.</summary>
    private sealed class BoundVector(ColumnVector vector) : BoundNode(vector.Type, -1)
    {
        public override ColumnVector Evaluate(EvaluationContext context) => vector;
    }
}
