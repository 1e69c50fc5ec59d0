namespace Lance.Interop.Tests;

/// <summary>
/// A throwaway copy of a dataset folder under the temp directory, deleted on dispose. Hand this to
/// LanceDB instead of the original: connecting may add files to a database folder.
/// </summary>
public sealed class TempCopy : IDisposable
{
    private TempCopy(string path) => Path = path;

    /// <summary>The copy's full path.</summary>
    public string Path { get; }

    /// <summary>Copies the folder <paramref name="source"/> (recursively) to a fresh temp folder.</summary>
    public static TempCopy Of(string source)
    {
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"No dataset folder {source}.");
        }

        var copy = new TempCopy(Empty().Path);
        CopyDirectory(source, copy.Path);
        return copy;
    }

    /// <summary>A fresh database folder holding a copy of the dataset <paramref name="source"/> as table <paramref name="table"/>.</summary>
    public static TempCopy DatabaseWith(string source, string table)
    {
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"No dataset folder {source}.");
        }

        var db = Empty();
        CopyDirectory(source, System.IO.Path.Combine(db.Path, table + ".lance"));
        return db;
    }

    /// <summary>A fresh empty temp folder (e.g. for a database LanceDB writes).</summary>
    public static TempCopy Empty()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lance-interop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return new TempCopy(path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            CopyDirectory(dir, System.IO.Path.Combine(to, System.IO.Path.GetFileName(dir)));
        }
    }
}
