using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using Lance.Engine.Format;

namespace Lance.Engine.Storage;

/// <summary>
/// An <see cref="IObjectStore"/> over a folder on local disk: ranged reads through
/// <see cref="RandomAccess"/> or a memory map, writes through a temporary file renamed into place,
/// and conditional creates through a hard link (see <see cref="AtomicPublish"/>). Temporaries are
/// named <c>.tmp-…</c> beside their final name and never listed; an index's own folder
/// (<c>_indices/&lt;uuid&gt;/</c>) is removed once its last file is deleted.
/// </summary>
public sealed class LocalObjectStore : IObjectStore
{
    private const string TempPrefix = ".tmp-";

    /// <summary>A store rooted at <paramref name="folder"/> (made on the first write when missing).</summary>
    public LocalObjectStore(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Root = System.IO.Path.GetFullPath(folder);
    }

    /// <summary>The folder every key is relative to.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public string Location => Root;

    /// <summary>The local path of <paramref name="key"/>.</summary>
    public string PathOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith('/') || key.Split('/').Any(part => part == ".."))
        {
            throw new ArgumentException($"'{key}' is not a key inside the store at '{Root}'.", nameof(key));
        }

        return System.IO.Path.Combine(Root, key.Replace('/', System.IO.Path.DirectorySeparatorChar));
    }

    /// <inheritdoc/>
    public ValueTask<IObjectReader> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        try
        {
            return ValueTask.FromResult<IObjectReader>(new LocalObjectReader(key, path));
        }
        catch (DirectoryNotFoundException e)
        {
            // A missing folder is a missing object, as in every other store.
            throw new FileNotFoundException($"No object '{key}' in {Root}: {e.Message}", path, e);
        }
    }

    /// <inheritdoc/>
    public ValueTask<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(PathOf(key));
        return ValueTask.FromResult<ObjectInfo?>(file.Exists ? new ObjectInfo(key, file.Length, file.LastWriteTimeUtc) : null);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? Root : PathOf(prefix[..slash]);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = System.IO.Path.GetRelativePath(Root, file.FullName).Replace(System.IO.Path.DirectorySeparatorChar, '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || file.Name.StartsWith(TempPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            // Another writer (ours or LanceDB's, which renames its temporaries into place) may remove
            // a file between the listing and the look at its size: it is then simply not listed.
            ObjectInfo info;
            try
            {
                info = new ObjectInfo(key, file.Length, file.LastWriteTimeUtc);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            yield return info;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// The temporaries under <paramref name="prefix"/> that writers left (killed mid-write): never
    /// listed by <see cref="ListAsync"/>, removed by cleanup through <see cref="DeleteAsync"/>.
    /// </summary>
    internal IEnumerable<ObjectInfo> ListTemporaries(string prefix)
    {
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? Root : PathOf(prefix[..slash]);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in new DirectoryInfo(folder).EnumerateFiles(TempPrefix + "*", SearchOption.TopDirectoryOnly))
        {
            var key = System.IO.Path.GetRelativePath(Root, file.FullName).Replace(System.IO.Path.DirectorySeparatorChar, '/');
            ObjectInfo info;
            try
            {
                info = new ObjectInfo(key, file.Length, file.LastWriteTimeUtc);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            yield return info;
        }
    }

    /// <inheritdoc/>
    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var final = PathOf(key);
        var temp = TempBeside(final);
        try
        {
            await File.WriteAllBytesAsync(temp, data, cancellationToken).ConfigureAwait(false);
            File.Move(temp, final, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IObjectWriter> CreateAsync(string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var final = PathOf(key);
        return ValueTask.FromResult<IObjectWriter>(new LocalObjectWriter(this, TempBeside(final), final));
    }

    /// <inheritdoc/>
    public async ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var final = PathOf(key);
        if (File.Exists(final))
        {
            return false;
        }

        var temp = TempBeside(final);
        try
        {
            await File.WriteAllBytesAsync(temp, data, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        return AtomicPublish.TryPublish(temp, final);
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        TryDelete(path);
        RemoveEmptySubfolder(path);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string TempBeside(string final)
    {
        var folder = System.IO.Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, $"{TempPrefix}{Guid.NewGuid():N}-{System.IO.Path.GetFileName(final)}");
    }

    // Removes the folder of a deleted object when it is empty and at least two levels down (an
    // index's own folder, which only its writer ever fills); top-level folders stay, as other
    // writers may be about to put a file in them.
    private void RemoveEmptySubfolder(string path)
    {
        var root = Root.TrimEnd(System.IO.Path.DirectorySeparatorChar);
        for (var folder = System.IO.Path.GetDirectoryName(path); folder is not null && folder.StartsWith(root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);
            folder = System.IO.Path.GetDirectoryName(folder))
        {
            // Top-level folders stay.
            if (string.Equals(System.IO.Path.GetDirectoryName(folder), root, StringComparison.Ordinal))
            {
                return;
            }

            try
            {
                if (Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    return;
                }

                Directory.Delete(folder);
            }
            catch (IOException)
            {
                // Not empty after all, or already gone.
                return;
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Writes a temporary file and renames it to its final name when completed.</summary>
    private sealed class LocalObjectWriter(LocalObjectStore store, string temp, string final) : IObjectWriter
    {
        private bool _completed;

        // Formats write synchronously in large pieces: a plain stream with a 1 MiB buffer, as data files had before the seam.
        public Stream Stream { get; } = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);

        public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
        {
            await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            await Stream.DisposeAsync().ConfigureAwait(false);
            File.Move(temp, final, overwrite: true);
            _completed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
            if (!_completed)
            {
                TryDelete(temp);
                store.RemoveEmptySubfolder(temp);
            }
        }
    }

    private sealed class LocalObjectReader : IObjectReader
    {
        private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;
        private MemoryMappedFile? _mapping;
        private readonly object _gate = new();

        public LocalObjectReader(string key, string path)
        {
            Key = key;
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
            Length = RandomAccess.GetLength(_handle);
        }

        public string Key { get; }

        public long Length { get; }

        public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Read(offset, destination.Span);
            return ValueTask.CompletedTask;
        }

        public void Read(long offset, Span<byte> destination)
        {
            if (offset < 0 || offset + destination.Length > Length)
            {
                throw new EndOfStreamException($"Bytes {offset}..{offset + destination.Length} run past the end of the {Length}-byte object '{Key}'.");
            }

            for (var done = 0; done < destination.Length;)
            {
                var read = RandomAccess.Read(_handle, destination[done..], offset + done);
                if (read == 0)
                {
                    throw new EndOfStreamException($"'{Key}' ended at byte {offset + done} while {destination.Length - done} more bytes were expected.");
                }

                done += read;
            }
        }

        public IMemoryOwner<byte>? TryMap(long offset, int length)
        {
            if (length == 0)
            {
                return null;
            }

            lock (_gate)
            {
                _mapping ??= MemoryMappedFile.CreateFromFile(_handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            }

            return MappedFileMemory.Map(_mapping, offset, length);
        }

        public void Dispose()
        {
            _mapping?.Dispose();
            _handle.Dispose();
        }
    }
}
