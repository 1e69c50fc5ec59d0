namespace Lance.Orm;

/// <summary>A version or tag that a dataset does not have (never committed, or cleaned up).</summary>
public class LanceVersionNotFoundException : LanceException
{
    /// <summary>Creates the exception.</summary>
    public LanceVersionNotFoundException(string path, string version, string message)
        : base(message)
    {
        Path = path;
        RequestedVersion = version;
    }

    /// <summary>The dataset folder.</summary>
    public string Path { get; }

    /// <summary>The version number or tag that was asked for.</summary>
    public string RequestedVersion { get; }
}
