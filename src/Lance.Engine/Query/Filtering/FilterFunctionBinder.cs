using Apache.Arrow.Types;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// The part of <see cref="FilterBinder"/> that binds function calls: the string and number functions and
/// the list functions (<c>array_has</c>, <c>array_length</c>, ...); it works for one binder, passed in.
/// </summary>
internal static class FilterFunctionBinder
{
    internal static BoundNode BindFunction(FilterBinder binder, FunctionExpression f)
    {
        if (BoundListFunction.Names.TryGetValue(f.Name, out var listFunction))
        {
            return BindListFunction(binder, f, listFunction);
        }

        if (f.Name == "arrow_cast")
        {
            return FilterCastBinder.BindArrowCast(binder, f);
        }

        if (FilterTextFunctionBinder.TryBind(binder, f) is { } text)
        {
            return text;
        }

        if (!BoundFunction.Arity.TryGetValue(f.Name, out var arity))
        {
            throw binder.Error($"unknown function '{f.Name}'. Functions: {string.Join(", ", BoundFunction.Arity.Keys.Concat(FilterTextFunctionBinder.Names).Concat(BoundListFunction.Names.Keys).Append("arrow_cast"))}", f);
        }

        if (f.Arguments.Count != arity)
        {
            throw binder.Error($"{f.Name} takes {arity} argument{(arity == 1 ? "" : "s")}, not {f.Arguments.Count}", f);
        }

        var args = f.Arguments.Select(binder.BindNode).ToList();
        if (f.Name is "abs" or "isnan")
        {
            if (!args[0].Type.IsNumeric && args[0].Type.Kind != ValueKind.Null)
            {
                throw binder.Error($"{f.Name} needs a number, but {FilterBinder.Describe(f.Arguments[0], args[0])} is {args[0].Type.Describe()}", f.Arguments[0]);
            }

            var type = f.Name == "isnan" ? FilterType.Boolean : args[0].Type.Kind == ValueKind.Null ? FilterType.Integer : args[0].Type;
            return new BoundFunction(f.Name, args, type, f.Position);
        }

        for (var i = 0; i < args.Count; i++)
        {
            binder.Expect(args[i], f.Arguments[i], ValueKind.String, f.Name);
        }

        var resultType = f.Name switch
        {
            "lower" or "upper" => FilterType.String,
            "starts_with" or "ends_with" or "contains" => FilterType.Boolean,
            _ => FilterType.Integer,
        };
        return new BoundFunction(f.Name, args, resultType, f.Position);
    }

    private static BoundNode BindListFunction(FilterBinder binder, FunctionExpression f, string name)
    {
        var arity = name == "array_length" ? 1 : 2;
        if (f.Arguments.Count != arity)
        {
            throw binder.Error($"{f.Name} takes {arity} argument{(arity == 1 ? "" : "s")}, not {f.Arguments.Count}", f);
        }

        var list = binder.BindNode(f.Arguments[0]);
        var itemArrow = (list as BoundColumn)?.ArrowType is { } arrow ? ArrowColumns.ElementType(arrow) : null;
        if (list.Type.Kind != ValueKind.List || itemArrow is null)
        {
            throw binder.Error($"{f.Name} needs a list column first, but {FilterBinder.Describe(f.Arguments[0], list)} is {FilterBinder.TypeName(list)}", f.Arguments[0]);
        }

        var itemType = ArrowColumns.TypeOf(itemArrow is DictionaryType d ? d.ValueType : itemArrow);
        if (name == "array_element")
        {
            var index = binder.BindNode(f.Arguments[1]);
            if (index.Type.Kind is not (ValueKind.Integer or ValueKind.Null))
            {
                throw binder.Error($"a list index must be a whole number, but {FilterBinder.Describe(f.Arguments[1], index)} is {index.Type.Describe()}", f.Arguments[1]);
            }

            return new BoundListElement(list, FilterBinder.To(index, FilterType.Integer), itemType, f.Position);
        }

        if (name == "array_length")
        {
            return new BoundListFunction(name, list, itemType, null, [], f.Position);
        }

        if (name == "array_has")
        {
            var needle = binder.BindNode(f.Arguments[1]);
            var common = MeetItems(binder, itemType, needle.Type, f.Arguments[1]);
            if (common.Kind == ValueKind.Decimal && (itemType.Kind != ValueKind.Decimal || needle.Type.Kind != ValueKind.Decimal))
            {
                // DataFusion's array_has finds no element type for an integer list and a uint64 or
                // decimal value (their common type would be a decimal): "No function matches".
                throw binder.Error($"array_has cannot look for {needle.Type.Describe()} values in a list of {itemType.Describe()}; cast one of them", f.Arguments[1]);
            }

            return new BoundListFunction(name, list, common, FilterBinder.To(needle, common), [], f.Position);
        }

        var items = f.Arguments[1] switch
        {
            ArrayExpression array => array.Items,
            FunctionExpression { Name: "make_array" } make => make.Arguments,
            _ => throw binder.Error($"{f.Name} needs a list of constants such as [1, 2] second", f.Arguments[1]),
        };
        var needles = items.Select(e => e is LiteralExpression l ? FilterBinder.BindLiteral(l) : throw binder.Error($"{f.Name} takes constants in its list", e)).ToList();
        var type = needles.Aggregate(itemType, (t, n) => MeetItems(binder, t, n.Type, f.Arguments[1]));
        return new BoundListFunction(name, list, type, null, [.. needles.Select(n => n.IsNull ? BoundLiteral.Null(type, n.Position) : binder.Constant(FilterBinder.To(n, type), f.Arguments[1]))], f.Position);
    }

    // The type a list's items and a value looked for meet in: numbers in their common type, else one kind.
    private static FilterType MeetItems(FilterBinder binder, FilterType item, FilterType needle, FilterExpression at)
    {
        if (needle.Kind == ValueKind.Null)
        {
            return item;
        }

        if (item.IsNumeric && needle.IsNumeric)
        {
            return NumericTypes.Comparison(item, needle)!.Value;
        }

        if (item.Kind == needle.Kind && item.Kind is not (ValueKind.List or ValueKind.Other))
        {
            return item;
        }

        throw binder.Error($"cannot look for {needle.Describe()} values in a list of {item.Describe()}", at);
    }
}
