using System.Globalization;

namespace Lance.Interop.Tests.FilterFuzz;

/// <summary>
/// Random SQL filters over <see cref="FilterFuzzTable"/>: comparisons, IN, BETWEEN, IS [NOT] NULL,
/// LIKE, arithmetic of every width (and mixed widths), negation, abs, CAST, isnan, the list functions,
/// AND/OR/NOT; literals at and beyond each type's range, ±0.0, NaN and ±∞. Mostly well typed, so
/// most filters run, but some are ill typed on purpose: LanceDB's refusals must be ours too.
/// </summary>
/// <remarks>
/// With <c>functions</c>, string filters also draw the text functions (<c>regexp_like</c>, <c>regexp_match</c>,
/// <c>coalesce</c>, <c>concat</c>, the trims, <c>replace</c>, <c>strpos</c>, <c>left</c>/<c>right</c>), numbers
/// <c>coalesce</c>, and date filters <c>date_part</c>; without, a seed's filters are the ones it always drew. With
/// <c>math</c>, numbers also draw the math functions (<c>sqrt</c>, <c>ln</c>, <c>round</c>, <c>power</c>, ...),
/// <c>greatest</c>/<c>least</c>/<c>nullif</c> and list elements (<c>li[2]</c>).
/// </remarks>
public sealed class RandomFilterGenerator(int seed, bool functions = false, bool math = false)
{
    private static readonly string[] Patterns = ["^a", "a$", "[0-9]", "^.$", "^$", "(pp|zz)", "\\w+%", "ï", "本", "^[a-z]+$", "A", "e.", "'"];
    private static readonly string[] DateParts = ["year", "month", "day", "hour", "minute", "second", "millisecond", "microsecond", "dow", "doy", "week", "quarter", "epoch"];

    private static readonly string[] Signed = ["id", "i8", "i16", "i32", "i64"];
    private static readonly string[] Unsigned = ["u8", "u16", "u32", "u64"];
    private static readonly string[] Floats = ["f32", "f64"];
    private static readonly string[] Comparisons = ["=", "!=", "<", "<=", ">", ">="];
    private static readonly string[] Arithmetic = ["+", "-", "*", "/", "%"];
    private static readonly string[] CastTypes = ["tinyint", "smallint", "int", "bigint", "tinyint unsigned", "int unsigned", "bigint unsigned", "float", "double"];

    private static readonly string[] IntLiterals =
    [
        "0", "1", "2", "3", "7", "100", "127", "128", "255", "256", "32767", "32768", "65535", "65536", "2147483647", "2147483648",
        "4294967295", "4294967296", "9223372036854775807", "-1", "-2", "-100", "-128", "-129", "-32768", "-32769", "-2147483648",
        "-9223372036854775808", "18446744073709551615", "99999999", "100000000",
    ];

    private static readonly string[] FloatLiterals =
    [
        "0.0", "-0.0", "0.5", "-1.5", "1.5", "0.1", "1e300", "-1e300", "3e38", "1e-300", "2.5",
        "CAST('NaN' AS double)", "CAST('Infinity' AS double)", "CAST('-Infinity' AS double)",
    ];

    private readonly Random _random = new(seed);

    /// <summary>The next filter.</summary>
    public string Next() => Bool(_random.Next(1, 4));

    private T Pick<T>(IReadOnlyList<T> values) => values[_random.Next(values.Count)];

    private bool Chance(int oneIn) => _random.Next(oneIn) == 0;

    private string Bool(int depth)
    {
        if (depth > 1 && Chance(3))
        {
            return _random.Next(3) switch
            {
                0 => $"({Bool(depth - 1)}) AND ({Bool(depth - 1)})",
                1 => $"({Bool(depth - 1)}) OR ({Bool(depth - 1)})",
                _ => $"NOT ({Bool(depth - 1)})",
            };
        }

        return _random.Next(15) switch
        {
            0 or 1 or 2 => $"{Number(depth)} {Pick(Comparisons)} {NumberOrLiteral(depth)}",
            3 or 4 => $"{NumericColumn()} {Pick(Comparisons)} {Literal()}",
            5 => $"{AnyColumn()} IS {(Chance(2) ? "NOT " : "")}NULL",
            6 => $"{NumericColumn()} {(Chance(3) ? "NOT " : "")}IN ({string.Join(", ", Enumerable.Range(0, _random.Next(1, 4)).Select(_ => Chance(6) ? "NULL" : Literal()))})",
            7 => $"{Number(depth)} {(Chance(3) ? "NOT " : "")}BETWEEN {Literal()} AND {Literal()}",
            8 => functions && Chance(2) ? FunctionText() : Text(),
            9 => Pick(["b", "NOT b", "b = true", "b IS NOT TRUE", "b IS FALSE", "b IS NULL"]),
            10 => $"isnan({Number(depth)})",
            11 or 12 => List(),
            13 when functions && Chance(2) => $"date_part('{Pick(DateParts)}', {Pick(["d", "ts"])}) {Pick(Comparisons)} {Pick(["0", "1", "12", "31", "59", "1970", "2022", "-1", "0.5", "59999", "1000000"])}",
            13 => Pick(["d > date '2022-01-01'", "d <= date '1970-01-01'", "ts > timestamp '2000-01-01 00:00:00'", "ts = timestamp '1970-01-01 00:00:00'",
                "d = date '1970-01-01'", "ts < timestamp '1969-12-31 23:59:59.999999'", "tm IS NULL", "d IS NOT NULL"]),
            _ => $"{Number(depth)} {Pick(Comparisons)} {Number(depth)}",
        };
    }

    private string Text() => _random.Next(6) switch
    {
        0 => $"s {Pick(Comparisons)} '{Pick(FilterFuzzTable.Words).Replace("'", "''", StringComparison.Ordinal)}'",
        1 => $"tag {Pick(Comparisons)} '{Pick(FilterFuzzTable.Tags)}'",
        2 => $"tag {(Chance(2) ? "NOT " : "")}IN ('{Pick(FilterFuzzTable.Tags)}', '{Pick(FilterFuzzTable.Tags)}')",
        3 => $"{Pick(["s", "tag"])} {(Chance(3) ? "NOT " : "")}LIKE '{Pick(["%a%", "a%", "_", "%", "b\\_c", "50\\%", "%e%", "r%"])}'",
        4 => $"bin {Pick(Comparisons)} X'{Pick(["", "00", "01", "7f", "80ff", "ff"])}'",
        _ => $"lower(s) = '{Pick(FilterFuzzTable.Words).ToLowerInvariant().Replace("'", "''", StringComparison.Ordinal)}'",
    };

    private string Word() => Pick(FilterFuzzTable.Words).Replace("'", "''", StringComparison.Ordinal);

    private string FunctionText() => _random.Next(8) switch
    {
        0 => $"{(Chance(3) ? "NOT " : "")}regexp_like({Pick(["s", "tag"])}, '{Pick(Patterns).Replace("'", "''", StringComparison.Ordinal)}'{(Chance(3) ? ", 'i'" : "")})",
        1 => $"{(Chance(3) ? "NOT " : "")}regexp_match(s, '{Pick(Patterns).Replace("'", "''", StringComparison.Ordinal)}')",
        2 => $"coalesce({Pick(["s", "tag", "NULL"])}, {(Chance(4) ? "NULL" : $"'{Word()}'")}) {Pick(Comparisons)} '{Word()}'",
        3 => $"concat({Pick(["s", "tag", "NULL", $"'{Word()}'"])}, {Pick(["s", "NULL", $"'{Word()}'"])}) {Pick(Comparisons)} '{Word()}{Word()}'",
        4 => $"{Pick(["btrim", "ltrim", "rtrim"])}(s{(Chance(2) ? $", '{Pick(["a", "z", "ae", "%5", "日"])}'" : "")}) {Pick(Comparisons)} '{Word()}'",
        5 => $"replace(s, '{Pick(["a", "p", "", "%", "本"])}', '{Pick(["", "x", "AA"])}') {Pick(Comparisons)} '{Word()}'",
        6 => $"strpos(s, '{Pick(["a", "p", "", "%", "本", "zz"])}') {Pick(Comparisons)} {_random.Next(-1, 4)}",
        _ => $"{Pick(["left", "right"])}(s, {_random.Next(-3, 4)}) {Pick(Comparisons)} '{Word()}'",
    };

    private string List() => _random.Next(7) switch
    {
        0 => $"array_has(li, {Pick(IntLiterals.Concat(["NULL", "0.5"]).ToArray())})",
        1 => $"array_has(lf, {Pick(FloatLiterals)})",
        2 => $"array_has(lstr, '{Pick(FilterFuzzTable.Words).Replace("'", "''", StringComparison.Ordinal)}')",
        3 => $"array_has_any(li, [{string.Join(", ", Enumerable.Range(0, _random.Next(0, 3)).Select(_ => Chance(5) ? "NULL" : Pick(IntLiterals[..20])))}])",
        4 => $"array_has_all(li, [{string.Join(", ", Enumerable.Range(0, _random.Next(0, 3)).Select(_ => Chance(5) ? "NULL" : Pick(IntLiterals[..20])))}])",
        5 => $"array_length({Pick(["li", "lstr", "lf"])}) {Pick(Comparisons)} {_random.Next(0, 4)}",
        _ => $"{(Chance(2) ? "NOT " : "")}array_has(lstr, '{Pick(FilterFuzzTable.Words).Replace("'", "''", StringComparison.Ordinal)}')",
    };

    private string Number(int depth)
    {
        if (depth <= 0 || Chance(2))
        {
            return NumericColumn();
        }

        if (functions && Chance(6))
        {
            return $"coalesce({Number(depth - 1)}, {NumberOrLiteral(depth - 1)})";
        }

        if (math && Chance(3))
        {
            // No decimals where they are refused (round, power, log) and no text among the numbers of greatest/least/nullif
            // (refused too, FINDINGS.md): the draws keep to what both sides answer.
            string Operand() { var n = Number(depth - 1); return n.Contains("dec", StringComparison.Ordinal) ? "f64" : n; }
            string OperandOrLiteral() => Chance(2) ? Pick(IntLiterals.Concat(FloatLiterals).ToArray()) : Operand();
            return _random.Next(6) switch
            {
                0 => $"{Pick(["sqrt", "cbrt", "ln", "log2", "log10", "exp", "signum"])}({Number(depth - 1)})",
                1 => $"{Pick(["round", "trunc"])}({Operand()}{(Chance(2) ? $", {_random.Next(-3, 4)}" : "")})",
                2 => $"{Pick(["power", "pow"])}({Operand()}, {Pick(["0", "1", "2", "0.5", "-1", "3", "i8", "f32", "NULL"])})",
                3 => Chance(3) ? $"{Pick(["li", "lf"])}[{Pick(["1", "2", "-1", "0", "4", "-3", "i8", "NULL"])}]" : Chance(2) ? $"log({Operand()})" : $"log({Pick(["2", "10", "0.5", "f32", "u8", "f64"])}, {Operand()})",
                4 => $"{Pick(["greatest", "least"])}({Operand()}, {OperandOrLiteral()}{(Chance(3) ? $", {OperandOrLiteral()}" : "")})",
                _ => $"nullif({Operand()}, {OperandOrLiteral()})",
            };
        }

        return _random.Next(6) switch
        {
            0 or 1 => $"({Number(depth - 1)} {Pick(Arithmetic)} {NumberOrLiteral(depth - 1)})",
            2 => $"(-{Pick(Signed.Concat(Floats).ToArray())})",
            3 => $"abs({Number(depth - 1)})",
            4 => $"CAST({Number(depth - 1)} AS {Pick(CastTypes)})",
            _ => $"({Pick(Signed.Concat(Unsigned).ToArray())} {Pick(Arithmetic)} {Pick(Signed.Concat(Unsigned).ToArray())})",
        };
    }

    private string NumberOrLiteral(int depth) => Chance(2) ? Literal() : Number(depth);

    private string NumericColumn() => _random.Next(10) switch
    {
        < 4 => Pick(Signed),
        < 7 => Pick(Unsigned),
        < 9 => Pick(Floats),
        _ => "dec",
    };

    private string AnyColumn() => Pick(["i8", "u64", "f32", "f64", "dec", "b", "s", "bin", "tag", "d", "ts", "tm", "li", "lstr", "lf"]);

    private string Literal() => _random.Next(10) switch
    {
        < 6 => Pick(IntLiterals),
        < 9 => Pick(FloatLiterals),
        _ => Pick(["NULL", "'1'", "1.25", "0.01"]),
    };

    /// <summary>A seed's filters.</summary>
    public static IReadOnlyList<string> Filters(int seed, int count, bool functions = false, bool math = false)
    {
        var generator = new RandomFilterGenerator(seed, functions, math);
        return [.. Enumerable.Range(0, count).Select(_ => generator.Next()).Distinct()];
    }

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
