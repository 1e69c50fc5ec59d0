using Google.Protobuf;

namespace Lance.Engine.Format;

/// <summary>
/// The last line of defence of the file readers: an exception that only corrupt bytes can cause
/// (an index past a buffer, an overflow in checked arithmetic, an unparsable protobuf, a value a
/// library refuses) becomes a <see cref="LanceFormatException"/> naming the file, with the original
/// as the inner exception. Readers check offsets, lengths and counts first; this catches what those
/// checks miss, so that callers only ever see the typed exception.
/// </summary>
internal static class CorruptInput
{
    /// <summary>Whether <paramref name="e"/> is what malformed input makes the reader throw.</summary>
    public static bool IsCorruption(Exception e) => e is IndexOutOfRangeException or ArgumentException or OverflowException
        or InvalidProtocolBufferException or NullReferenceException or InvalidCastException or InvalidOperationException
        or FormatException or EndOfStreamException or InvalidDataException or ArithmeticException;

    /// <summary>The typed exception for corrupt input in <paramref name="file"/> (and <paramref name="column"/>, when known).</summary>
    public static LanceFormatException Wrap(string file, Exception e, string? column = null) =>
        new($"'{file}' is corrupt{(column is null ? "" : $" in column '{column}'")}: {e.GetType().Name}: {e.Message}", e);
}
