namespace Lance.Orm;

/// <summary>What <c>CreateTableAsync</c> does when the table already exists (LanceDB's <c>mode</c>).</summary>
public enum CreateMode
{
    /// <summary>Fail with <see cref="LanceException"/>.</summary>
    Create = 0,

    /// <summary>Replace the table's schema and rows with a new version (older versions stay readable).</summary>
    Overwrite = 1,

    /// <summary>Open the existing table (its schema must fit the model); as in LanceDB, the rows passed to create are then not added.</summary>
    ExistOk = 2,
}
