namespace Lance.Orm;

/// <summary>The base of every error raised by Lance.Engine and Lance.Orm.</summary>
public class LanceException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public LanceException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public LanceException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// The data does not fit the table's schema: a missing or mistyped column, a vector of the wrong
/// length, a null in a non-nullable column. Nothing is written when this is thrown.
/// </summary>
public class LanceSchemaException : LanceException
{
    /// <summary>Creates the exception with a message.</summary>
    public LanceSchemaException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public LanceSchemaException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>A file or folder is not a Lance dataset, or its bytes are not what the format allows.</summary>
public class LanceFormatException : LanceException
{
    /// <summary>Creates the exception with a message.</summary>
    public LanceFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public LanceFormatException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>A table (dataset folder) that was asked for does not exist.</summary>
public class LanceTableNotFoundException : LanceException
{
    /// <summary>Creates the exception for the table <paramref name="tableName"/> at <paramref name="path"/>.</summary>
    public LanceTableNotFoundException(string tableName, string path)
        : base($"Table '{tableName}' was not found: no Lance dataset at '{path}'.")
    {
        TableName = tableName;
        Path = path;
    }

    /// <summary>
    /// Creates the exception for the table <paramref name="tableName"/> at <paramref name="path"/>, dropped while in use
    /// (<paramref name="innerException"/> is the failed read that found it gone).
    /// </summary>
    public LanceTableNotFoundException(string tableName, string path, Exception? innerException)
        : base($"Table '{tableName}' was not found: the Lance dataset at '{path}' was dropped (its versions are gone) while this handle used it.", innerException)
    {
        TableName = tableName;
        Path = path;
    }

    /// <summary>The name of the table that was asked for.</summary>
    public string TableName { get; }

    /// <summary>The folder where the dataset was looked for.</summary>
    public string Path { get; }
}

/// <summary>
/// Another writer committed a version that conflicts with this one. The dataset is unchanged by
/// the losing writer; re-read the table and apply the change again.
/// </summary>
public class LanceCommitConflictException : LanceException
{
    /// <summary>Creates the exception with a message.</summary>
    public LanceCommitConflictException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public LanceCommitConflictException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// An index cannot be built or used as asked: the column is not a vector column, the options do
/// not fit the data (sub-vectors that do not divide the dimension, more partitions than rows), or
/// an index file is unreadable. A failed build leaves the table as it was.
/// </summary>
public class LanceIndexException : LanceException
{
    /// <summary>Creates the exception with a message.</summary>
    public LanceIndexException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public LanceIndexException(string message, Exception? innerException) : base(message, innerException) { }
}
