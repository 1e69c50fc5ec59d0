namespace Lance.Orm.Tests;

/// <summary>A database in a fresh temp folder, deleted on dispose.</summary>
public sealed class TempDb : IDisposable
{
    public TempDb() => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lance-orm-tests-" + Guid.NewGuid().ToString("N"));

    public string Path { get; }

    public Task<Database> ConnectAsync() => LanceDb.ConnectAsync(Path);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
