using System.Text;
using System.Text.RegularExpressions;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// The text functions LanceDB passes on to DataFusion that filters use beyond <see cref="BoundFunction"/>'s:
/// <c>regexp_like</c> and <c>regexp_match</c> (a match anywhere in the value; LanceDB takes <c>regexp_match</c>'s
/// list as true where there is one and false where there is none, a null value included, so it is never null), <c>btrim</c>/<c>ltrim</c>/<c>rtrim</c> (spaces, or the characters given),
/// <c>replace</c>, <c>strpos</c> (1-based, 0 when absent), <c>left</c>/<c>right</c> (a negative count keeps all
/// but that many), <c>concat</c> (nulls skipped), <c>instr</c> (<c>strpos</c>), <c>reverse</c>, <c>repeat</c>,
/// <c>split_part</c> (negative positions from the end), <c>ascii</c> and <c>bit_length</c>. Any null argument gives
/// null, except in <c>concat</c>.
/// </summary>
internal sealed class BoundTextFunction(string name, IReadOnlyList<BoundNode> arguments, Regex? pattern, FilterType type, int position)
    : BoundNode(type, position)
{
    /// <summary>The functions this evaluates, with their least and most argument counts.</summary>
    public static readonly IReadOnlyDictionary<string, (int Min, int Max)> Arity = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["regexp_like"] = (2, 3),
        ["regexp_match"] = (2, 3),
        ["btrim"] = (1, 2),
        ["ltrim"] = (1, 2),
        ["rtrim"] = (1, 2),
        ["replace"] = (3, 3),
        ["strpos"] = (2, 2),
        ["left"] = (2, 2),
        ["right"] = (2, 2),
        ["concat"] = (1, int.MaxValue),
        ["instr"] = (2, 2),
        ["reverse"] = (1, 1),
        ["repeat"] = (2, 2),
        ["split_part"] = (3, 3),
        ["ascii"] = (1, 1),
        ["bit_length"] = (1, 1),
    };

    public override ColumnVector Evaluate(EvaluationContext context)
    {
        var args = arguments.Select(a => a.Evaluate(context)).ToArray();
        var scalar = args.All(a => a.IsScalar);
        var n = scalar ? 1 : context.Length;
        if (name == "concat")
        {
            var joined = new Utf8Values.Builder(n, 16 * n);
            var text = new List<byte>();
            for (var i = 0; i < n; i++)
            {
                text.Clear();
                foreach (var a in args)
                {
                    var row = a.IsScalar ? 0 : i;
                    if (a.Kind != ValueKind.Null && a.IsValid(row))
                    {
                        text.AddRange(a.Bytes![row]);
                    }
                }

                joined.Append(text.ToArray());
            }

            return ColumnVector.OfBytes(FilterType.String, joined.Build(), null, scalar);
        }

        if (args.Any(a => a.Kind == ValueKind.Null))
        {
            return name == "regexp_match" ? ColumnVector.OfBools([false], null, true) : Scalars.Null(Type);
        }

        var valid = new bool[n];
        var bools = Type.Kind == ValueKind.Boolean ? new bool[n] : null;
        var ints = Type.Kind == ValueKind.Integer ? new long[n] : null;
        var strings = Type.Kind == ValueKind.String ? new Utf8Values.Builder(n, 16 * n) : null;
        for (var i = 0; i < n; i++)
        {
            valid[i] = args.All(a => a.IsValid(a.IsScalar ? 0 : i));
            if (!valid[i])
            {
                strings?.Append([]);
                continue;
            }

            var value = Text(args[0], i);
            switch (name)
            {
                case "regexp_like" or "regexp_match":
                    bools![i] = pattern!.IsMatch(value);
                    break;
                case "ascii":
                    ints![i] = value.Length == 0 ? 0 : char.ConvertToUtf32(value, 0);
                    break;
                case "bit_length":
                    ints![i] = 8L * args[0].Bytes![args[0].IsScalar ? 0 : i].Length;
                    break;
                case "strpos" or "instr":
                    var bytes = args[0].Bytes![args[0].IsScalar ? 0 : i];
                    var at = bytes.IndexOf(args[1].Bytes![args[1].IsScalar ? 0 : i]);
                    ints![i] = at < 0 ? 0 : BoundFunction.CountChars(bytes[..at]) + 1;
                    break;
                default:
                    if (name == "split_part" && args[2].Ints![args[2].IsScalar ? 0 : i] == 0)
                    {
                        throw context.Error("split_part's position must not be zero", Position);
                    }

                    strings!.Append(Encoding.UTF8.GetBytes(Transform(value, args, i)));
                    break;
            }
        }

        return Type.Kind switch
        {
            ValueKind.Boolean => ColumnVector.OfBools(bools!, name == "regexp_match" ? null : valid, scalar),
            ValueKind.Integer => ColumnVector.OfInts(Type, ints!, valid, scalar),
            _ => ColumnVector.OfBytes(FilterType.String, strings!.Build(), valid, scalar),
        };
    }

    private string Transform(string value, ColumnVector[] args, int row)
    {
        switch (name)
        {
            case "btrim" or "ltrim" or "rtrim":
                var set = args.Length > 1 ? Text(args[1], row).ToCharArray() : [' '];
                return name switch
                {
                    "btrim" => value.Trim(set),
                    "ltrim" => value.TrimStart(set),
                    _ => value.TrimEnd(set),
                };
            case "replace":
                var (from, to) = (Text(args[1], row), Text(args[2], row));
                return from.Length == 0 ? Interleave(value, to) : value.Replace(from, to, StringComparison.Ordinal);
            case "reverse":
                var reversed = new StringBuilder(value.Length);
                foreach (var rune in value.EnumerateRunes().Reverse())
                {
                    reversed.Append(rune.ToString());
                }

                return reversed.ToString();
            case "repeat":
                var times = args[1].Ints![args[1].IsScalar ? 0 : row];
                return times <= 0 ? "" : new StringBuilder(value.Length * (int)Math.Min(times, int.MaxValue / Math.Max(1, value.Length))).Insert(0, value, (int)Math.Min(times, int.MaxValue)).ToString();
            case "split_part":
                return SplitPart(value, Text(args[1], row), args[2].Ints![args[2].IsScalar ? 0 : row]);
            default: // left, right: counted in Unicode scalar values
                var runes = value.EnumerateRunes().ToArray();
                var count = args[1].Ints![args[1].IsScalar ? 0 : row];
                var keep = (int)Math.Clamp(count < 0 ? runes.Length + count : count, 0, runes.Length);
                var kept = name == "left" ? runes.AsSpan(0, keep) : runes.AsSpan(runes.Length - keep);
                var text = new StringBuilder();
                foreach (var rune in kept)
                {
                    text.Append(rune.ToString());
                }

                return text.ToString();
        }
    }

    // split_part(s, delimiter, n): the n-th part counted from 1, or from the end when n is negative; '' past either end.
    private static string SplitPart(string value, string delimiter, long n)
    {
        var parts = delimiter.Length == 0 ? [value] : value.Split(delimiter, StringSplitOptions.None);
        var at = n > 0 ? n - 1 : parts.Length + n;
        return at >= 0 && at < parts.Length ? parts[at] : "";
    }

    // Replacing the empty string puts the replacement before every character and at the end ("ab" -> "xaxbx").
    private static string Interleave(string value, string with)
    {
        var text = new StringBuilder(with);
        foreach (var rune in value.EnumerateRunes())
        {
            text.Append(rune.ToString()).Append(with);
        }

        return text.ToString();
    }

    private static string Text(ColumnVector v, int row) => Encoding.UTF8.GetString(v.Bytes![v.IsScalar ? 0 : row]);
}
