namespace Lance.Orm;

/// <summary>An index was created with <c>replace</c> off while the table already has an index of that name; nothing is committed.</summary>
public class LanceIndexExistsException : LanceIndexException
{
    /// <summary>Creates the exception for the table at <paramref name="table"/>, the column being indexed and the name already taken.</summary>
    public LanceIndexExistsException(string table, string column, string indexName)
        : base($"Cannot build an index named '{indexName}' on column '{column}' of '{table}': an index of that name exists. Pass replace = true to rebuild it, or give the new index another name.")
    {
        Table = table;
        Column = column;
        IndexName = indexName;
    }

    /// <summary>The table (dataset location).</summary>
    public string Table { get; }

    /// <summary>The column the new index was to cover.</summary>
    public string Column { get; }

    /// <summary>The index name that is taken.</summary>
    public string IndexName { get; }
}
