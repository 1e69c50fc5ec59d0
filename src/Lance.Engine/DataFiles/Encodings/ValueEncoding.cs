using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// The value compressions this engine decodes, reduced to what a decoder needs: fixed-width values
/// of some width (<c>Flat</c>, or <c>FixedSizeList</c> over <c>Flat</c>), or variable-width values with
/// offsets of some width (<c>Variable</c> over <c>Flat</c>). Anything else is refused by name.
/// </summary>
/// <param name="IsVariable">Whether values are variable-width.</param>
/// <param name="Bits">Bits per value (fixed) or per offset (variable).</param>
internal readonly record struct ValueEncoding(bool IsVariable, int Bits)
{
    /// <summary>
    /// For vectors with null items (<c>FixedSizeList</c> with validity) in a full-zip page: the bytes
    /// of item validity bits stored ahead of each value's <see cref="Bits"/>; 0 otherwise.
    /// </summary>
    public int ItemValidityBytes { get; init; }

    /// <summary>Reads a compressive encoding.</summary>
    /// <exception cref="LanceFormatException">The encoding is one this engine cannot decode; the message names it.</exception>
    public static ValueEncoding From(Enc21.CompressiveEncoding? encoding, string columnName)
    {
        switch (encoding?.CompressionCase)
        {
            case Enc21.CompressiveEncoding.CompressionOneofCase.Flat:
                return new ValueEncoding(false, FlatBits(encoding.Flat, columnName));
            case Enc21.CompressiveEncoding.CompressionOneofCase.FixedSizeList:
                var fsl = encoding.FixedSizeList;
                var items = From(fsl.Values, columnName);
                if (items.IsVariable || items.ItemValidityBytes != 0)
                {
                    throw Unsupported(columnName, "FixedSizeList of variable-width items or of lists");
                }

                if (fsl.ItemsPerValue == 0 || fsl.ItemsPerValue > int.MaxValue)
                {
                    throw Unsupported(columnName, $"FixedSizeList of {fsl.ItemsPerValue} items");
                }

                // With validity, each value is its items' validity bits (whole bytes) then the items.
                return new ValueEncoding(false, checked(items.Bits * (int)fsl.ItemsPerValue))
                {
                    ItemValidityBytes = fsl.HasValidity ? (int)((fsl.ItemsPerValue + 7) / 8) : 0,
                };
            case Enc21.CompressiveEncoding.CompressionOneofCase.Variable:
                var variable = encoding.Variable;
                if (variable.Values is not null && variable.Values.Scheme != Enc21.CompressionScheme.CompressionAlgorithmUnspecified)
                {
                    throw Unsupported(columnName, $"Variable with {variable.Values.Scheme} buffer compression");
                }

                if (variable.Offsets?.CompressionCase != Enc21.CompressiveEncoding.CompressionOneofCase.Flat)
                {
                    throw Unsupported(columnName, $"Variable with {Name(variable.Offsets)} offsets");
                }

                int offsetBits = FlatBits(variable.Offsets.Flat, columnName);
                return offsetBits is 32 or 64
                    ? new ValueEncoding(true, offsetBits)
                    : throw Unsupported(columnName, $"Variable with {offsetBits}-bit offsets");
            default:
                throw Unsupported(columnName, Name(encoding));
        }
    }

    /// <summary>The name of an encoding for error messages, e.g. <c>InlineBitpacking</c>.</summary>
    public static string Name(Enc21.CompressiveEncoding? encoding) =>
        encoding is null || encoding.CompressionCase == Enc21.CompressiveEncoding.CompressionOneofCase.None
            ? "(missing encoding)"
            : encoding.CompressionCase.ToString();

    /// <summary>The error for an encoding this engine does not decode.</summary>
    public static LanceFormatException Unsupported(string columnName, string encodingName) =>
        new($"Column '{columnName}' uses the Lance encoding {encodingName}, which Lance.Engine cannot decode yet.");

    private static int FlatBits(Enc21.Flat flat, string columnName)
    {
        if (flat.Data is not null && flat.Data.Scheme != Enc21.CompressionScheme.CompressionAlgorithmUnspecified)
        {
            throw Unsupported(columnName, $"Flat with {flat.Data.Scheme} buffer compression");
        }

        return (int)flat.BitsPerValue;
    }
}
