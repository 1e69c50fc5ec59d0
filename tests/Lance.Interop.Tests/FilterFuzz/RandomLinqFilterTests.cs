using System.Linq.Expressions;
using System.Reflection;
using Lance.Orm;
using Xunit.Abstractions;

namespace Lance.Interop.Tests.FilterFuzz;

/// <summary>
/// The LINQ property: every random predicate over <see cref="LinqFuzzRow"/> that the translator
/// accepts selects, through our engine and through LanceDB (its SQL), exactly the rows LINQ-to-objects
/// selects with the compiled lambda. Constants come from the rows (so equalities hit), re-expressed the
/// ways C# allows: a DateTime in each <see cref="DateTimeKind"/>, a DateTimeOffset at another offset.
/// Floats compare as the translator documents (LanceDB's total order, see <see cref="TotalOrder"/>),
/// with NaNs of both signs, ±0.0 and ±∞ among the rows and constants.
/// </summary>
public sealed class RandomLinqFilterTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Random_linq_filters_select_the_rows_linq_to_objects_selects_in_our_engine_and_in_LanceDB()
    {
        var rows = Rows(7, 160);
        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.CreateTableAsync<LinqFuzzRow>("rows", rows);
        var generator = new LinqGenerator(11, rows);
        var filters = Enumerable.Range(0, 300).Select(_ => generator.Next()).ToList();
        var failures = new List<string>();
        var sqls = new Dictionary<string, (Expression<Func<LinqFuzzRow, bool>> Filter, List<long> Expected)>();
        foreach (var filter in filters)
        {
            var expected = rows.Where(TotalOrder.Rewrite(filter).Compile()).Select(r => r.Id).ToList();
            List<long> ours;
            try
            {
                ours = (await table.Query().Where(filter).ToListAsync()).Select(r => r.Id).ToList();
            }
            catch (NotSupportedException)
            {
                continue; // not accepted: nothing is claimed
            }
            catch (LanceFilterException e)
            {
                failures.Add($"{filter.Body}: translated but our engine fails: {e.Message.Split('\n')[0]}");
                continue;
            }

            if (!expected.SequenceEqual(ours))
            {
                failures.Add($"{filter.Body}: LINQ-to-objects {expected.Count} rows, our engine {ours.Count} (SQL {LinqFilterTranslator.ToSql(filter, table.Schema, LinqFuzzRow.ColumnMap)})");
            }

            sqls.TryAdd(LinqFilterTranslator.ToSql(filter, table.Schema, LinqFuzzRow.ColumnMap), (filter, expected));
        }

        using var copy = TempCopy.Of(_db.Path);
        using var doc = await LanceDbPeer.Default.RunAsync("filter-conformance", new { db = copy.Path, table = "rows", filters = sqls.Keys.ToArray() });
        foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            var sql = result.GetProperty("filter").GetString()!;
            var scan = result.GetProperty("scan");
            var (filter, expected) = sqls[sql];
            if (scan.TryGetProperty("error", out var error))
            {
                failures.Add($"{filter.Body}: LanceDB rejects our SQL '{sql}': {error.GetString()}");
                continue;
            }

            var ids = scan.GetProperty("ids").EnumerateArray().Select(e => long.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            if (!expected.SequenceEqual(ids))
            {
                failures.Add($"{filter.Body}: LINQ-to-objects {expected.Count} rows, LanceDB {ids.Count} for '{sql}'");
            }
        }

        output.WriteLine($"{filters.Count} predicates, {sqls.Count} distinct translations checked, {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    /// <summary>
    /// Rows with integers near their type's ends one time in eight (C#'s 32-bit arithmetic wraps there), and
    /// floats that include both NaNs (.NET's, sign bit set, and SQL's), ±0.0 and ±∞.
    /// </summary>
    public static List<LinqFuzzRow> Rows(int seed, int count)
    {
        var random = new Random(seed);
        double Special(double ordinary) => random.Next(4) == 0 ? TotalOrder.Specials[random.Next(TotalOrder.Specials.Length)] : ordinary;
        int Extreme(int lowest, int highest) => random.Next(2) == 0 ? lowest + random.Next(3) : highest - random.Next(3);
        string[] words = ["", "alpha", "Alpha_1", "beta", "日本", "50%", "it's", " ", "\t\u00A0", " a "];
        return [.. Enumerable.Range(0, count).Select(i => new LinqFuzzRow
        {
            Id = i,
            I = random.Next(8) == 0 ? Extreme(int.MinValue, int.MaxValue) : random.Next(-1000, 1000),
            NI = random.Next(5) == 0 ? null : random.Next(-50, 50),
            S = random.Next(8) == 0 ? (short)Extreme(short.MinValue, short.MaxValue) : (short)random.Next(-300, 300),
            U8 = (byte)random.Next(256),
            U32 = (uint)random.NextInt64(0, uint.MaxValue),
            U64 = random.Next(3) == 0 ? ulong.MaxValue - (ulong)random.Next(5) : (ulong)random.NextInt64(0, long.MaxValue) * (ulong)random.Next(1, 3),
            D = Special(random.Next(-40, 40) * 0.25),
            F = (float)Special(random.Next(-40, 40) * 0.5f),
            ND = random.Next(4) == 0 ? null : Special(random.Next(-10, 10) * 1.5),
            M = random.Next(-100000, 100000) / 100m,
            B = random.Next(2) == 0,
            Name = words[random.Next(words.Length)],
            Note = random.Next(4) == 0 ? null : words[random.Next(words.Length)],
            Uid = new Guid(Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256)).ToArray()),
            When = new DateTime(2000, 1, 1).AddTicks(random.NextInt64(0, 10_000_000_000_000_000L)),
            At = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.FromHours(random.Next(-12, 13))).AddTicks(random.NextInt64(0, 10_000_000_000_000_000L)),
            Day = DateOnly.FromDayNumber(random.Next(700_000, 760_000)),
            Clock = new TimeOnly(random.NextInt64(0, TimeSpan.TicksPerDay)),
            Color = (FuzzColor)random.Next(3),
            Shade = (FuzzColor)random.Next(3),
            Tags = [.. Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(-3, 4))],
        })];
    }

    /// <summary>Random predicates as expression trees.</summary>
    private sealed class LinqGenerator(int seed, List<LinqFuzzRow> rows)
    {
        private static readonly ExpressionType[] Orders = [ExpressionType.Equal, ExpressionType.NotEqual, ExpressionType.LessThan, ExpressionType.LessThanOrEqual, ExpressionType.GreaterThan, ExpressionType.GreaterThanOrEqual];
        private readonly Random _random = new(seed);
        private readonly ParameterExpression _x = Expression.Parameter(typeof(LinqFuzzRow), "x");

        public Expression<Func<LinqFuzzRow, bool>> Next() => Expression.Lambda<Func<LinqFuzzRow, bool>>(Bool(2), _x);

        private Expression Member(string name) => Expression.Property(_x, name);

        private LinqFuzzRow Row() => rows[_random.Next(rows.Count)];

        private object? Of(string name) => typeof(LinqFuzzRow).GetProperty(name)!.GetValue(Row());

        private Expression Bool(int depth)
        {
            if (depth > 0 && _random.Next(3) == 0)
            {
                return _random.Next(3) switch
                {
                    0 => Expression.AndAlso(Bool(depth - 1), Bool(depth - 1)),
                    1 => Expression.OrElse(Bool(depth - 1), Bool(depth - 1)),
                    _ => Expression.Not(Bool(depth - 1)),
                };
            }

            var order = Orders[_random.Next(Orders.Length)];
            switch (_random.Next(32))
            {
                case 0: return Compare(order, Member("I"), Expression.Constant(_random.Next(3) == 0 ? Of("I") : _random.Next(-1000, 1000)));
                case 1: return Compare(order, Expression.Add(Member("I"), Expression.Constant(_random.Next(-5, 5))), Expression.Constant(_random.Next(-1000, 1000)));
                case 2: return Compare(order, Member("NI"), Expression.Constant(_random.Next(4) == 0 ? null : (int?)_random.Next(-50, 50), typeof(int?)));
                case 3: return Compare(order, Member("U64"), Expression.Constant(Of("U64")));
                case 4: return Compare(order, Member("U32"), Expression.Constant(Of("U32")));
                case 5: return Compare(order, Member("M"), Expression.Constant(_random.Next(2) == 0 ? Of("M") : _random.Next(-1000, 1000) / 8m));
                case 6: return Compare(order, Member(_random.Next(3) == 0 ? "ND" : "D"), Expression.Constant(FloatConstant(_random.Next(-40, 40) * 0.25)));
                case 7: return Compare(order, Member("F"), Expression.Constant((float)FloatConstant(_random.Next(-40, 40) * 0.5f)));
                case 8: return Compare(_random.Next(2) == 0 ? ExpressionType.Equal : ExpressionType.NotEqual, Member("Uid"), Expression.Constant(Of("Uid")));
                case 9:
                {
                    var when = (DateTime)Of("When")!;
                    var kind = (DateTimeKind)_random.Next(3);
                    return Compare(order, Member("When"), Expression.Constant(DateTime.SpecifyKind(when, kind)));
                }

                case 10:
                {
                    var at = (DateTimeOffset)Of("At")!;
                    return Compare(order, Member("At"), Expression.Constant(at.ToOffset(TimeSpan.FromHours(_random.Next(-12, 13)))));
                }

                case 11: return Compare(order, Member("Day"), Expression.Constant(Of("Day")));
                case 12: return Compare(order, Member("Clock"), Expression.Constant(Of("Clock")));
                case 13:
                {
                    var color = (FuzzColor)_random.Next(3);
                    var member = _random.Next(2) == 0 ? "Color" : "Shade";
                    return Compare(order, Expression.Convert(Member(member), typeof(int)), Expression.Convert(Expression.Constant(color), typeof(int)));
                }

                case 14: return Compare(order, Expression.Property(Member("Tags"), "Count"), Expression.Constant(_random.Next(0, 4)));
                case 15: return Expression.Call(Member("Tags"), typeof(List<int>).GetMethod("Contains")!, Expression.Constant(_random.Next(-3, 4)));
                case 16: return Member("B");
                case 17: return Compare(_random.Next(2) == 0 ? ExpressionType.Equal : ExpressionType.NotEqual, Member("Note"), Expression.Constant(_random.Next(3) == 0 ? null : Of("Note"), typeof(string)));
                case 18:
                {
                    var name = (string)Of("Name")!;
                    return Expression.Call(Member("Name"), typeof(string).GetMethod("StartsWith", [typeof(string)])!, Expression.Constant(name[..Math.Min(2, name.Length)]));
                }

                case 19:
                {
                    // an integer member against a fraction (or ±∞): C# compares in double precision
                    var bound = _random.Next(8) == 0 ? (_random.Next(2) == 0 ? double.PositiveInfinity : double.NegativeInfinity) : _random.Next(-2000, 2000) * 0.5;
                    var nullable = _random.Next(3) == 0;
                    return Compare(order, Expression.Convert(Member(nullable ? "NI" : "I"), nullable || _random.Next(3) == 0 ? typeof(double?) : typeof(double)), Expression.Constant(bound));
                }

                case 20:
                {
                    // arithmetic C# widens: (double)x.I / (x.S + 301), (long)x.I * x.I
                    var quotient = Expression.Divide(Expression.Convert(Member("I"), typeof(double)), Expression.Convert(Expression.Add(Expression.Convert(Member("S"), typeof(int)), Expression.Constant(301)), typeof(double)));
                    var product = Expression.Multiply(Expression.Convert(Member("I"), typeof(long)), Expression.Convert(Member("I"), typeof(long)));
                    return _random.Next(2) == 0
                        ? Compare(order, quotient, Expression.Constant(_random.Next(-40, 40) * 0.25))
                        : Compare(order, product, Expression.Constant((long)_random.Next(0, 1_000_000)));
                }

                case 21: return Compare(order, Expression.Call(Member("NI"), typeof(int?).GetMethod("GetValueOrDefault", Type.EmptyTypes)!), Expression.Constant(_random.Next(-50, 50)));
                case 22: return Expression.Call(typeof(string).GetMethod(nameof(string.IsNullOrWhiteSpace))!, Member(_random.Next(2) == 0 ? "Note" : "Name"));
                case 23: return Expression.Call(typeof(double).GetMethod(nameof(double.IsNaN), [typeof(double)])!, Member("D"));
                case 24:
                {
                    // a concatenation with a null part keeps the rest, as in C#
                    var concat = typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!;
                    var joined = Expression.Add(Member("Note"), Expression.Constant("!"), concat);
                    return Compare(_random.Next(2) == 0 ? ExpressionType.Equal : ExpressionType.NotEqual, joined, Expression.Constant((string?)Of("Note") + "!"));
                }

                case 25: return Compare(order, Expression.Convert(Expression.Property(Member("Day"), "DayOfWeek"), typeof(int)), Expression.Constant(_random.Next(7)));
                case 26: return Compare(order, Expression.Property(Member("When"), "Date"), Expression.Constant(((DateTime)Of("When")!).Date));
                case 27:
                {
                    var t = Expression.Parameter(typeof(int), "t");
                    var all = typeof(Enumerable).GetMethods().Single(m => m.Name == nameof(Enumerable.All)).MakeGenericMethod(typeof(int));
                    return Expression.Call(all, Member("Tags"), Expression.Lambda<Func<int, bool>>(Expression.NotEqual(t, Expression.Constant(_random.Next(-3, 4))), t));
                }

                case 28: return Compare(order, Member("I"), Expression.Convert(Expression.Constant(_random.Next(-2000, 2000) * 0.45), typeof(int))); // (int)c truncates
                case 29:
                {
                    // 32-bit arithmetic with a constant, which wraps in C# (and must in SQL)
                    int[] factors = [3, -7, 100000, -70000, 2147483647, 65536];
                    var factor = Expression.Constant(factors[_random.Next(factors.Length)]);
                    Expression value = _random.Next(3) switch
                    {
                        0 => Expression.Multiply(Member("I"), factor),
                        1 => Expression.Add(Member("I"), factor),
                        _ => Expression.Subtract(factor, Member("I")),
                    };
                    return Compare(order, value, Expression.Constant(_random.Next(-1000, 1000)));
                }

                case 30:
                {
                    // narrow members widen to int before arithmetic and negation: -x.S, x.U8 * 300, x.S * x.S
                    var s = Expression.Convert(Member("S"), typeof(int));
                    Expression value = _random.Next(3) switch
                    {
                        0 => Expression.Negate(s),
                        1 => Expression.Multiply(Expression.Convert(Member("U8"), typeof(int)), Expression.Constant(300)),
                        _ => Expression.Multiply(s, s),
                    };
                    return Compare(order, value, Expression.Constant(_random.Next(-40000, 70000)));
                }

                case 31:
                {
                    // unsigned arithmetic wraps at 2^32 in C#
                    var value = Expression.Add(Member("U32"), Expression.Constant((uint)_random.NextInt64(0, uint.MaxValue)));
                    return Compare(order, value, Expression.Constant(Of("U32")));
                }

                default: return Compare(order, Member("S"), Expression.Constant(_random.Next(-300, 300)));
            }
        }

        // A special value (a NaN of either sign, ±0.0, ±∞) one time in three, else the ordinary one.
        private double FloatConstant(double ordinary) => _random.Next(3) == 0 ? TotalOrder.Specials[_random.Next(TotalOrder.Specials.Length)] : ordinary;

        private static Expression Compare(ExpressionType order, Expression left, Expression right)
        {
            // C# lifts and promotes: a short member meets an int constant as int, an int? member a null constant as int?.
            if (left.Type != right.Type)
            {
                if (right is ConstantExpression { Value: null } || Nullable.GetUnderlyingType(left.Type) == right.Type)
                {
                    right = Expression.Convert(right, left.Type);
                }
                else if (left.Type == typeof(short))
                {
                    left = Expression.Convert(left, typeof(int));
                }
                else
                {
                    right = Expression.Convert(right, left.Type);
                }
            }

            if (order is not (ExpressionType.Equal or ExpressionType.NotEqual) && left.Type == typeof(Guid))
            {
                order = ExpressionType.Equal;
            }

            return Expression.MakeBinary(order, left, right);
        }
    }
}

/// <summary>
/// The LINQ translator's documented float semantics (LanceDB's): <c>float</c> and <c>double</c>
/// compare in IEEE 754 total order (<c>-NaN &lt; -∞ &lt; … &lt; -0.0 &lt; 0.0 &lt; … &lt; +∞ &lt; +NaN</c>,
/// a NaN equal to a NaN of the same bits); nulls keep C#'s meaning.
/// </summary>
public static class TotalOrder
{
    /// <summary>.NET's NaN (sign bit set), SQL's NaN (sign bit clear), ±0.0 and ±∞.</summary>
    public static readonly double[] Specials =
        [double.NaN, BitConverter.Int64BitsToDouble(0x7FF8000000000000), -0.0, 0.0, double.PositiveInfinity, double.NegativeInfinity];

    /// <summary><paramref name="filter"/> with every float comparison made a total-order one.</summary>
    public static Expression<Func<T, bool>> Rewrite<T>(Expression<Func<T, bool>> filter) => (Expression<Func<T, bool>>)new Rewriter().Visit(filter);

    /// <summary>A comparison in total order; with a null operand, C#'s lifted meaning.</summary>
    public static bool Compare(double? a, double? b, ExpressionType order)
    {
        if (a is null || b is null)
        {
            return order switch
            {
                ExpressionType.Equal => a is null && b is null,
                ExpressionType.NotEqual => (a is null) != (b is null),
                _ => false,
            };
        }

        var c = Key(a.Value).CompareTo(Key(b.Value));
        return order switch
        {
            ExpressionType.Equal => c == 0,
            ExpressionType.NotEqual => c != 0,
            ExpressionType.LessThan => c < 0,
            ExpressionType.LessThanOrEqual => c <= 0,
            ExpressionType.GreaterThan => c > 0,
            _ => c >= 0,
        };
    }

    // The key whose signed order is the total order (Rust's f64::total_cmp).
    private static long Key(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        return bits ^ (long)((ulong)(bits >> 63) >> 1);
    }

    private static bool IsFloat(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is var t && (t == typeof(double) || t == typeof(float));

    private sealed class Rewriter : ExpressionVisitor
    {
        protected override Expression VisitBinary(BinaryExpression node)
        {
            var b = (BinaryExpression)base.VisitBinary(node);
            if (b.NodeType is ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual && IsFloat(b.Left.Type) && IsFloat(b.Right.Type))
            {
                return Expression.Call(
                    typeof(TotalOrder).GetMethod(nameof(Compare))!,
                    Expression.Convert(b.Left, typeof(double?)),
                    Expression.Convert(b.Right, typeof(double?)),
                    Expression.Constant(b.NodeType));
            }

            return b;
        }
    }
}
