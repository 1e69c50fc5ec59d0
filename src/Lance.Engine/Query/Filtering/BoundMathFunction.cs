namespace Lance.Engine.Query.Filtering;

/// <summary>
/// DataFusion's math functions as LanceDB runs them: <c>sqrt</c>, <c>cbrt</c>, <c>ln</c>, <c>log2</c>, <c>log10</c>,
/// <c>log</c> (one argument: base 10; two: <c>log(base, x)</c>), <c>exp</c>, <c>signum</c>, <c>round(x[, places])</c>,
/// <c>trunc(x[, places])</c> and <c>power</c>/<c>pow</c>. A <c>float</c> stays <c>float</c> (computed in single
/// precision), any other number is taken as <c>double</c>; <c>power</c> is always <c>double</c>. Out-of-domain values
/// give NaN or an infinity, never null; places scale by <c>10^places</c> computed as Rust's <c>powi</c> does
/// (repeated squaring), then round half away from zero or truncate, and divide back.
/// </summary>
internal sealed class BoundMathFunction(string name, IReadOnlyList<BoundNode> arguments, FilterType type, int position) : BoundNode(type, position)
{
    /// <summary>The functions, with the least and most arguments each takes.</summary>
    public static readonly IReadOnlyDictionary<string, (int Min, int Max)> Arity = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["sqrt"] = (1, 1),
        ["cbrt"] = (1, 1),
        ["ln"] = (1, 1),
        ["log2"] = (1, 1),
        ["log10"] = (1, 1),
        ["log"] = (1, 2),
        ["exp"] = (1, 1),
        ["signum"] = (1, 1),
        ["round"] = (1, 2),
        ["trunc"] = (1, 2),
        ["power"] = (2, 2),
        ["pow"] = (2, 2),
    };

    /// <summary>Binds a call of one of <see cref="Arity"/>'s functions, its arguments already bound.</summary>
    public static BoundNode Bind(FilterBinder binder, FunctionExpression f, List<BoundNode> args)
    {
        var places = f.Name is "round" or "trunc" && args.Count == 2;
        for (var i = 0; i < args.Count; i++)
        {
            var t = args[i].Type;
            if (t.Kind != ValueKind.Null && !t.IsNumeric)
            {
                throw binder.Error($"{f.Name} needs a number, but {FilterBinder.Describe(f.Arguments[i], args[i])} is {t.Describe()}", f.Arguments[i]);
            }

            if (places && i == 1 && t.Kind is not (ValueKind.Integer or ValueKind.Null))
            {
                throw binder.Error($"{f.Name} needs a whole number of decimal places, but {FilterBinder.Describe(f.Arguments[i], args[i])} is {t.Describe()}", f.Arguments[i]);
            }

            if (t.Kind == ValueKind.Decimal && (f.Name is "round" or "power" or "pow" or "log") && !(places && i == 1))
            {
                // LanceDB rounds and raises decimals as decimals (a result of their own precision and scale), and
                // DataFusion's versions differ on log of a decimal (some take an integer logarithm).
                throw binder.Error($"{f.Name} of a decimal is not supported here; cast {FilterBinder.Describe(f.Arguments[i], args[i])} to double first", f.Arguments[i]);
            }
        }

        // A float argument gives a float result (log's number decides alone: log(double, float) is a float, its base
        // taken as a float too); any other number is taken as a double.
        var common = f.Name == "log" ? args[^1].Type : args.Where((a, i) => !(places && i == 1) && a.Type.Kind != ValueKind.Null)
            .Aggregate((FilterType?)null, (c, a) => c is { } known ? NumericTypes.Comparison(known, a.Type) : a.Type);
        // trunc with places takes DataFusion's first signature an argument converts to, (float, int64): any number but a double.
        var single = f.Name is not ("power" or "pow") && (common is { Number: NumberType.Float32 } || (f.Name == "trunc" && places && common is { Number: not NumberType.Float64 }));
        var type = single ? FilterType.Of(NumberType.Float32) : FilterType.Float;
        var bound = args.Select((a, i) => places && i == 1 ? FilterBinder.To(a, FilterType.Integer) : FilterBinder.To(a, type)).ToList();

        // DataFusion's simplifier rewrites these before any row is read, so they hold for null and NaN rows too:
        // power(x, 0) is 1, power(x, 1) is x, log(x, x) is 1, log(b, 1) is 0.
        if (f.Name is "power" or "pow" && args[1] is BoundLiteral { Value: 0L or 0.0 })
        {
            return new BoundLiteral(Scalars.Float(FilterType.Float, 1.0), f.Position) { Value = 1.0 };
        }

        if (f.Name is "power" or "pow" && args[1] is BoundLiteral { Value: 1L or 1.0 })
        {
            return bound[0]; // the base as a double, NaN and all
        }

        if (f.Name == "log" && args.Count == 2 && args[1] is BoundLiteral { Value: 1L or 1.0 })
        {
            return new BoundLiteral(Scalars.Float(type, 0.0), f.Position) { Value = 0.0 };
        }

        if (f.Name == "log" && args.Count == 2 && f.Arguments[0].ToSql() == f.Arguments[1].ToSql())
        {
            return new BoundLiteral(Scalars.Float(type, 1.0), f.Position) { Value = 1.0 };
        }

        return new BoundMathFunction(f.Name, bound, type, f.Position);
    }

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var args = arguments.Select(a => a.Evaluate(context)).ToArray();
        if (args.Any(a => a.Kind == ValueKind.Null))
        {
            return Scalars.Null(Type);
        }

        var scalar = args.All(a => a.IsScalar);
        var n = scalar ? 1 : context.Length;
        var single = Type.Number == NumberType.Float32;
        var result = new double[n];
        bool[]? valid = null;
        for (var i = 0; i < n; i++)
        {
            if (!args.All(a => a.IsValid(i)))
            {
                (valid ??= Enumerable.Repeat(true, n).ToArray())[i] = false;
                continue;
            }

            var x = args[0].Floats![args[0].IsScalar ? 0 : i];
            var second = args.Length > 1 ? args[1] : null;
            result[i] = name switch
            {
                "round" or "trunc" when second is null => name == "trunc" && x == 0 ? 0 : Scale(x, 0, single, name == "round", context), // trunc(-0.0) is 0.0
                "round" or "trunc" => Scale(x, second.Ints![second.IsScalar ? 0 : i], single, name == "round", context),
                "power" or "pow" => Math.Pow(x, second!.Floats![second.IsScalar ? 0 : i]),
                "log" when second is not null => single
                    ? Ln((float)second.Floats![second.IsScalar ? 0 : i]) / Ln((float)x)
                    : Math.Log(second.Floats![second.IsScalar ? 0 : i]) / Math.Log(x),
                _ => single ? Unary((float)x) : Unary(x),
            };
        }

        return ColumnVector.OfFloats(Type, result, valid, scalar);
    }

    private double Unary(double x) => name switch
    {
        "sqrt" => Math.Sqrt(x),
        "cbrt" => Cbrt(x),
        "ln" => Math.Log(x),
        "log2" => Math.Log2(x),
        "log10" => Math.Log10(x),
        "log" => Math.Log(x) / Math.Log(10), // Rust's x.log(10): ln x / ln 10, not log10
        "exp" => Math.Exp(x),
        _ => x == 0 ? 0 : double.IsNaN(x) ? BitConverter.Int64BitsToDouble(0x7FF8000000000000) : Math.Sign(x), // signum: 0 for either zero, Rust's NaN (sign clear) for NaN
    };

    // .NET's cube root misses exact cubes by an ulp (27 gives 3.0000000000000004); Rust's (the C library's) does not.
    // One Newton step from it, kept when its cube is nearer, gives the nearer double.
    private static double Cbrt(double x)
    {
        var r = Math.Cbrt(x);
        if (!double.IsFinite(r) || r == 0)
        {
            return r;
        }

        var better = r - ((r * r * r) - x) / (3 * r * r);
        return Math.Abs(Math.FusedMultiplyAdd(better * better, better, -x)) < Math.Abs(Math.FusedMultiplyAdd(r * r, r, -x)) ? better : r;
    }

    private static readonly float PositiveNaN = BitConverter.Int32BitsToSingle(0x7FC00000);

    // Rust's single-precision logarithms of a negative number give a NaN with the sign bit clear (.NET's have it set);
    // the sign decides where NaN sorts, so comparisons see it. A NaN argument passes through as it is.
    private static float Ln(float x) => x < 0 ? PositiveNaN : MathF.Log(x);

    private static float Log2(float x) => x < 0 ? PositiveNaN : MathF.Log2(x);

    private float Unary(float x) => name switch
    {
        "sqrt" => MathF.Sqrt(x),
        "cbrt" => MathF.Cbrt(x),
        "ln" => Ln(x),
        "log2" => Log2(x),
        "log10" => MathF.Log10(x),
        "log" => Ln(x) / Ln(10f),
        "exp" => MathF.Exp(x),
        _ => x == 0 ? 0 : float.IsNaN(x) ? PositiveNaN : MathF.Sign(x),
    };

    // (x * 10^places) rounded half away from zero or truncated, divided by 10^places; in single precision for a float.
    private double Scale(double x, long places, bool single, bool round, EvaluationContext context)
    {
        if (places is < int.MinValue or > int.MaxValue)
        {
            throw context.Error($"{name} cannot take {places} decimal places", Position);
        }

        if (single)
        {
            var factor = PowI(10f, (int)places);
            var scaled = (float)x * factor;
            return (round ? MathF.Round(scaled, MidpointRounding.AwayFromZero) : MathF.Truncate(scaled)) / factor;
        }

        var f = PowI(10.0, (int)places);
        var s = x * f;
        return (round ? Math.Round(s, MidpointRounding.AwayFromZero) : Math.Truncate(s)) / f;
    }

    // Rust's powi (compiler-rt's __powidf2 / __powisf2): square-and-multiply, the reciprocal for a negative power.
    private static T PowI<T>(T a, int b)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var reciprocal = b < 0;
        var r = T.One;
        while (true)
        {
            if ((b & 1) != 0)
            {
                r *= a;
            }

            b /= 2;
            if (b == 0)
            {
                break;
            }

            a *= a;
        }

        return reciprocal ? T.One / r : r;
    }
}
