using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Lance.Engine.Format;
using Enc20 = Lance.Engine.Format.Protos.Encodings20;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;
using File2 = Lance.Engine.Format.Protos.File2;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Builds and unwraps the encoding descriptions stored in column metadata. They are
/// <c>google.protobuf.Any</c> messages whose type URL Lance matches exactly, without the usual
/// <c>type.googleapis.com</c> host, so they are packed by hand.
/// </summary>
internal static class EncodingProtos
{
    /// <summary>The type URL of a 2.1 page layout.</summary>
    public const string PageLayoutTypeUrl = "/lance.encodings21.PageLayout";

    /// <summary>The type URL of a column-level encoding.</summary>
    public const string ColumnEncodingTypeUrl = "/lance.encodings.ColumnEncoding";

    /// <summary>The type URL of a 2.0 page encoding (which this engine cannot decode).</summary>
    public const string ArrayEncodingTypeUrl = "/lance.encodings.ArrayEncoding";

    /// <summary><c>Flat(bits)</c>: fixed-width values stored as they are.</summary>
    public static Enc21.CompressiveEncoding Flat(int bitsPerValue) =>
        new() { Flat = new Enc21.Flat { BitsPerValue = (ulong)bitsPerValue } };

    /// <summary><c>Variable{offsets: Flat(bits)}</c>: byte strings with 32- or 64-bit offsets.</summary>
    public static Enc21.CompressiveEncoding Variable(int offsetBits) =>
        new() { Variable = new Enc21.Variable { Offsets = Flat(offsetBits) } };

    /// <summary><c>FixedSizeList{dimension, Flat(itemBits)}</c>: vectors flattened to their items.</summary>
    public static Enc21.CompressiveEncoding FixedSizeList(int dimension, int itemBits) =>
        new() { FixedSizeList = new Enc21.FixedSizeList { ItemsPerValue = (ulong)dimension, Values = Flat(itemBits) } };

    /// <summary>The column-level encoding every 2.1 column carries: plain values.</summary>
    public static File2.Encoding ColumnValuesEncoding() =>
        Direct(ColumnEncodingTypeUrl, new Enc20.ColumnEncoding { Values = new Empty() });

    /// <summary>A page's encoding: the layout packed as an <c>Any</c> in direct encoding bytes.</summary>
    public static File2.Encoding PageEncoding(Enc21.PageLayout layout) => Direct(PageLayoutTypeUrl, layout);

    /// <summary>Unpacks a page's layout.</summary>
    /// <exception cref="LanceFormatException">The page is not described by a page layout of format 2.1 or 2.2.</exception>
    public static Enc21.PageLayout ReadPageLayout(File2.Encoding? encoding, string columnName)
    {
        if (encoding?.LocationCase != File2.Encoding.LocationOneofCase.Direct)
        {
            throw new LanceFormatException(
                $"Column '{columnName}': page encoding stored as {encoding?.LocationCase.ToString() ?? "nothing"}; only direct encodings are supported.");
        }

        Any any;
        try
        {
            any = Any.Parser.ParseFrom(encoding.Direct.Encoding);
            if (any.TypeUrl.EndsWith(PageLayoutTypeUrl, StringComparison.Ordinal))
            {
                return Enc21.PageLayout.Parser.ParseFrom(any.Value);
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"Column '{columnName}': a page encoding cannot be parsed.", e);
        }

        throw new LanceFormatException(any.TypeUrl.EndsWith(ArrayEncodingTypeUrl, StringComparison.Ordinal)
            ? $"Column '{columnName}' uses Lance file format 2.0 page encodings, which Lance.Engine cannot read yet (only 2.1)."
            : $"Column '{columnName}' has a page encoding of unknown type '{any.TypeUrl}'.");
    }

    private static File2.Encoding Direct(string typeUrl, IMessage message) => new()
    {
        Direct = new File2.DirectEncoding
        {
            Encoding = new Any { TypeUrl = typeUrl, Value = message.ToByteString() }.ToByteString(),
        },
    };
}
