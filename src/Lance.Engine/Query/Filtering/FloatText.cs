using System.Globalization;
using System.Text;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// Floats as text the way LanceDB's <c>CAST(x AS string)</c> writes them (Arrow's cast), which is
/// also how a float compared with a string is compared: float32 and float64 in the shortest digits
/// that read back to the same value, positional up to 13 (float32) or 16 (float64) digits before the
/// point and then <c>1e16</c>-style, always with a fraction (<c>1.0</c>, <c>-0.0</c>); float16 as
/// Rust prints an f32, positional and without a needless fraction (<c>1</c>, <c>0.099975586</c>);
/// <c>NaN</c>, <c>inf</c> and <c>-inf</c> for the rest.
/// </summary>
internal static class FloatText
{
    /// <summary>The text of <paramref name="value"/>, a value of the float type <paramref name="number"/>.</summary>
    public static string Format(double value, NumberType number)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var negative = double.IsNegative(value);
        var (digits, exponent) = ShortestDigits(value, number);
        var text = number == NumberType.Float16
            ? Positional(digits, exponent)
            : Scientific(digits, exponent, number == NumberType.Float32 ? 13 : 16);
        return negative ? "-" + text : text;
    }

    // The shortest round-tripping decimal digits of |value| (no leading or trailing zeros, "0" for
    // zero) and k such that |value| = digits × 10^k.
    private static (string Digits, int Exponent) ShortestDigits(double value, NumberType number)
    {
        // "R" is the shortest text that reads back to the same float; only its layout is .NET's.
        var magnitude = Math.Abs(value);
        var shortest = number is NumberType.Float32 or NumberType.Float16
            ? ((float)magnitude).ToString("R", CultureInfo.InvariantCulture)
            : magnitude.ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOfAny(['E', 'e']);
        var mantissa = e < 0 ? shortest : shortest[..e];
        var power = e < 0 ? 0 : int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? mantissa : mantissa[..point];
        var fraction = point < 0 ? "" : mantissa[(point + 1)..];
        var all = (whole + fraction).TrimStart('0');
        power -= fraction.Length;
        var trimmed = all.TrimEnd('0');
        power += all.Length - trimmed.Length;
        return trimmed.Length == 0 ? ("0", 0) : (trimmed, power);
    }

    // Rust's Display: every digit in place, no exponent, a fraction only when there is one.
    private static string Positional(string digits, int exponent)
    {
        if (digits == "0")
        {
            return "0";
        }

        if (exponent >= 0)
        {
            return digits + new string('0', exponent);
        }

        var before = digits.Length + exponent;
        return before > 0
            ? digits[..before] + "." + digits[before..]
            : "0." + new string('0', -before) + digits;
    }

    // The ryu crate's layout, which Arrow's cast uses for float32/64.
    private static string Scientific(string digits, int exponent, int maxWhole)
    {
        if (digits == "0")
        {
            return "0.0";
        }

        var length = digits.Length;
        var kk = length + exponent;
        var text = new StringBuilder();
        if (exponent >= 0 && kk <= maxWhole)
        {
            text.Append(digits).Append('0', exponent).Append(".0");
        }
        else if (kk > 0 && kk <= maxWhole)
        {
            text.Append(digits, 0, kk).Append('.').Append(digits, kk, length - kk);
        }
        else if (kk > -5 && kk <= 0)
        {
            text.Append("0.").Append('0', -kk).Append(digits);
        }
        else
        {
            text.Append(digits[0]);
            if (length > 1)
            {
                text.Append('.').Append(digits, 1, length - 1);
            }

            text.Append('e').Append((kk - 1).ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
