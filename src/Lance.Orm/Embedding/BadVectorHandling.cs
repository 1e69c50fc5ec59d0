namespace Lance.Orm;

/// <summary>
/// What an add does with a vector that has the wrong length or holds NaN, as LanceDB's
/// <c>on_bad_vectors</c>.
/// </summary>
public enum BadVectorHandling
{
    /// <summary>Throw, naming the table, column and row; nothing is written (the default).</summary>
    Error,

    /// <summary>Leave the row out.</summary>
    Drop,

    /// <summary>Replace the vector with one of the column's length whose every value is <see cref="AddOptions.FillValue"/>.</summary>
    Fill,

    /// <summary>
    /// Store a null vector. Where the column has an embedding function, the row's source is then
    /// embedded, as for any row whose vector is missing.
    /// </summary>
    Null,
}
