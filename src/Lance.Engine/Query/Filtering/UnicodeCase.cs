using System.Globalization;
using System.Text;

namespace Lance.Engine.Query;

/// <summary>
/// SQL's <c>lower</c> and <c>upper</c> as LanceDB computes them (Rust's <c>str::to_lowercase</c> and
/// <c>to_uppercase</c>): Unicode's full case mapping, where one character can become several (<c>ß</c> uppers to
/// <c>SS</c>, <c>İ</c> lowers to <c>i̇</c>) and a capital sigma at the end of a word lowers to <c>ς</c>. .NET's
/// invariant casing maps character by character, so those are handled here and the rest goes to it.
/// </summary>
internal static class UnicodeCase
{
    /// <summary>The lower case of <paramref name="text"/>.</summary>
    public static string Lower(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var rune = Rune.GetRuneAt(text, i);
            switch (rune.Value)
            {
                case 0x0130:
                    builder.Append("i\u0307");
                    break;
                case 0x03A3:
                    builder.Append(IsFinalSigma(text, i) ? 'ς' : 'σ');
                    break;
                default:
                    builder.Append((LowerOverride(rune.Value) is { } lower ? new Rune(lower) : Rune.ToLowerInvariant(rune)).ToString());
                    break;
            }

            i += rune.Utf16SequenceLength;
        }

        return builder.ToString();
    }

    /// <summary>The upper case of <paramref name="text"/>.</summary>
    public static string Upper(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var rune = Rune.GetRuneAt(text, i);
            if (SpecialUpper(rune.Value) is { } special)
            {
                builder.Append(special);
            }
            else
            {
                builder.Append((UpperOverride(rune.Value) is { } upper ? new Rune(upper) : Rune.ToUpperInvariant(rune)).ToString());
            }

            i += rune.Utf16SequenceLength;
        }

        return builder.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> with each character replaced by one member of its case-equivalence class (simple case
    /// folding: <c>σ</c>, <c>ς</c> and <c>Σ</c> alike, <c>ſ</c> with <c>s</c>, the Kelvin sign with <c>k</c>), as
    /// LanceDB's <c>ILIKE</c> matches characters; lengths never change.
    /// </summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var rune = Rune.GetRuneAt(text, i);
            // Without the Unicode 16 pairs: LanceDB's matcher (Rust's regex tables) does not have them either.
            builder.Append(Rune.ToLowerInvariant(Rune.ToUpperInvariant(rune)).ToString());
            i += rune.Utf16SequenceLength;
        }

        return builder.ToString();
    }

    // Unicode's Final_Sigma: a cased letter before (case-ignorable characters skipped), none after.
    private static bool IsFinalSigma(string text, int index)
    {
        var before = false;
        for (var i = index; i > 0;)
        {
            var rune = Rune.GetRuneAt(text, i - 1 - (char.IsLowSurrogate(text[i - 1]) && i > 1 ? 1 : 0));
            i -= rune.Utf16SequenceLength;
            if (!IsCaseIgnorable(rune))
            {
                before = IsCased(rune);
                break;
            }
        }

        if (!before)
        {
            return false;
        }

        for (var i = index + 1; i < text.Length;)
        {
            var rune = Rune.GetRuneAt(text, i);
            i += rune.Utf16SequenceLength;
            if (!IsCaseIgnorable(rune))
            {
                return !IsCased(rune);
            }
        }

        return true;
    }

    private static bool IsCased(Rune rune)
        => Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
           || Rune.ToUpperInvariant(rune) != rune || Rune.ToLowerInvariant(rune) != rune;

    private static bool IsCaseIgnorable(Rune rune)
        => Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
               or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
           || rune.Value is 0x27 or 0x2E or 0x3A or 0x5E or 0x60 or 0xA8 or 0xAD or 0xAF or 0xB4 or 0xB7 or 0xB8 or 0x387 or 0x55F or 0x5F4
               or 0x2018 or 0x2019 or 0x2024 or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;

    // Single-character mappings .NET's invariant casing lacks: dotless i (left out on purpose, for Turkish) and the pairs
    // Unicode 16 added, which LanceDB's Rust knows.
    private static int? LowerOverride(int c) => c switch
    {
        0x1C89 => 0x1C8A,
        0xA7CB => 0x0264,
        0xA7CC or 0xA7CE or 0xA7D2 or 0xA7D4 or 0xA7DA => c + 1,
        0xA7DC => 0x019B,
        >= 0x10D50 and <= 0x10D65 => c + 0x20,
        >= 0x16EA0 and <= 0x16EB8 => c + 0x1B,
        _ => null,
    };

    private static int? UpperOverride(int c) => c switch
    {
        0x0131 => 'I',
        0x019B => 0xA7DC,
        0x0264 => 0xA7CB,
        0x1C8A => 0x1C89,
        0xA7CD or 0xA7CF or 0xA7D3 or 0xA7D5 or 0xA7DB => c - 1,
        >= 0x10D70 and <= 0x10D85 => c - 0x20,
        >= 0x16EBB and <= 0x16ED3 => c - 0x1B,
        _ => null,
    };

    // SpecialCasing.txt's unconditional upper-case mappings to more than one character.
    private static string? SpecialUpper(int c) => c switch
    {
        0x00DF => "SS",
        0x0149 => "\u02BCN",
        0x01F0 => "J\u030C",
        0x0390 => "\u0399\u0308\u0301",
        0x03B0 => "\u03A5\u0308\u0301",
        0x0587 => "\u0535\u0552",
        0x1E96 => "H\u0331",
        0x1E97 => "T\u0308",
        0x1E98 => "W\u030A",
        0x1E99 => "Y\u030A",
        0x1E9A => "A\u02BE",
        0x1F50 => "\u03A5\u0313",
        0x1F52 => "\u03A5\u0313\u0300",
        0x1F54 => "\u03A5\u0313\u0301",
        0x1F56 => "\u03A5\u0313\u0342",
        >= 0x1F80 and <= 0x1F87 => (char)(0x1F08 + c - 0x1F80) + "\u0399",
        >= 0x1F88 and <= 0x1F8F => (char)(0x1F08 + c - 0x1F88) + "\u0399",
        >= 0x1F90 and <= 0x1F97 => (char)(0x1F28 + c - 0x1F90) + "\u0399",
        >= 0x1F98 and <= 0x1F9F => (char)(0x1F28 + c - 0x1F98) + "\u0399",
        >= 0x1FA0 and <= 0x1FA7 => (char)(0x1F68 + c - 0x1FA0) + "\u0399",
        >= 0x1FA8 and <= 0x1FAF => (char)(0x1F68 + c - 0x1FA8) + "\u0399",
        0x1FB2 => "\u1FBA\u0399",
        0x1FB3 or 0x1FBC => "\u0391\u0399",
        0x1FB4 => "\u0386\u0399",
        0x1FB6 => "\u0391\u0342",
        0x1FB7 => "\u0391\u0342\u0399",
        0x1FC2 => "\u1FCA\u0399",
        0x1FC3 or 0x1FCC => "\u0397\u0399",
        0x1FC4 => "\u0389\u0399",
        0x1FC6 => "\u0397\u0342",
        0x1FC7 => "\u0397\u0342\u0399",
        0x1FD2 => "\u0399\u0308\u0300",
        0x1FD3 => "\u0399\u0308\u0301",
        0x1FD6 => "\u0399\u0342",
        0x1FD7 => "\u0399\u0308\u0342",
        0x1FE2 => "\u03A5\u0308\u0300",
        0x1FE3 => "\u03A5\u0308\u0301",
        0x1FE4 => "\u03A1\u0313",
        0x1FE6 => "\u03A5\u0342",
        0x1FE7 => "\u03A5\u0308\u0342",
        0x1FF2 => "\u1FFA\u0399",
        0x1FF3 or 0x1FFC => "\u03A9\u0399",
        0x1FF4 => "\u038F\u0399",
        0x1FF6 => "\u03A9\u0342",
        0x1FF7 => "\u03A9\u0342\u0399",
        0xFB00 => "FF",
        0xFB01 => "FI",
        0xFB02 => "FL",
        0xFB03 => "FFI",
        0xFB04 => "FFL",
        0xFB05 or 0xFB06 => "ST",
        0xFB13 => "\u0544\u0546",
        0xFB14 => "\u0544\u0535",
        0xFB15 => "\u0544\u053B",
        0xFB16 => "\u054E\u0546",
        0xFB17 => "\u0544\u053D",
        _ => null,
    };
}
