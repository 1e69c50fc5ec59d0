namespace Lance.Orm;

/// <summary>
/// A filter (SQL text or a translated LINQ expression) cannot be parsed or does not fit the table:
/// a syntax error, a column that does not exist, or values of types that cannot be compared.
/// </summary>
public class LanceFilterException : LanceException
{
    /// <summary>Creates the exception with a message and the zero-based character offset it points at (-1 when none).</summary>
    public LanceFilterException(string message, int position = -1) : base(message) => Position = position;

    /// <summary>Creates the exception with a message, a position and the error that caused it.</summary>
    public LanceFilterException(string message, int position, Exception? innerException) : base(message, innerException) => Position = position;

    /// <summary>The zero-based character offset in the filter text where the error was found, or -1 (e.g. for a LINQ filter).</summary>
    public int Position { get; }
}
