using System.Runtime.InteropServices;

namespace Lance.Engine.Storage;

/// <summary>
/// Puts a fully written file in place under its final name only if no file has that name: the one
/// atomic step of a commit. <c>File.Move(..., overwrite: false)</c> is not enough on Unix (.NET checks
/// for the target and then renames, and rename replaces), so there a hard link is made instead, which
/// the kernel refuses atomically when the name exists; on Windows the move itself is atomic.
/// </summary>
internal static partial class AtomicPublish
{
    private const int EEXIST = 17; // the same on Linux and macOS

    /// <summary>
    /// Publishes <paramref name="temp"/> as <paramref name="final"/>; false when <paramref name="final"/>
    /// already exists (another writer won). The temporary file is removed either way.
    /// </summary>
    /// <exception cref="IOException">The file system refused for another reason.</exception>
    public static bool TryPublish(string temp, string final)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, final, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(final))
            {
                File.Delete(temp);
                return false;
            }
        }

        var result = Link(temp, final);
        var error = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        File.Delete(temp);
        if (result == 0)
        {
            return true;
        }

        if (error == EEXIST)
        {
            return false;
        }

        throw new IOException($"Could not publish '{final}': link() failed with error {error} ({Marshal.GetPInvokeErrorMessage(error)}). Lance.Engine needs a file system with hard links for safe commits.");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);
}
