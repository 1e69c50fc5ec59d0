using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// One write to a dataset, described by what it changes rather than by the manifest it produces, so
/// it can be rebuilt on a newer version when another writer commits first: the fragments it adds,
/// the fragments it replaces or removes (by id), and a new schema. Compatible concurrent changes
/// (appends beside appends or deletes of other fragments) rebase; incompatible ones throw
/// <see cref="LanceCommitConflictException"/>.
/// </summary>
internal sealed class Transaction
{
    /// <summary>How many times a commit is rebuilt on a newer version before giving up.</summary>
    public const int CommitAttempts = 50;

    public Transaction(string operation) => Operation = operation;

    /// <summary>A short name of the operation for messages (e.g. <c>delete</c>).</summary>
    public string Operation { get; }

    /// <summary>Data files written for new fragments (numbered when the manifest is built).</summary>
    public List<(DataFile File, ulong Rows)> NewFragments { get; init; } = [];

    /// <summary>Existing fragments this transaction changes: the new fragment, or null when it is removed.</summary>
    public Dictionary<ulong, DataFragment?> Replaced { get; init; } = [];

    /// <summary>The new schema, when the transaction changes it.</summary>
    public LanceSchema? NewSchema { get; init; }

    /// <summary>Replace every fragment by <see cref="NewFragments"/> (overwrite); never conflicts.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// With <see cref="Overwrite"/>: the file format version of <see cref="NewFragments"/>, which
    /// becomes the dataset's <c>data_format.version</c>. Null keeps the basis's version (whose
    /// format every new file then has).
    /// </summary>
    public LanceFileVersion? NewFileVersion { get; init; }

    /// <summary>Make the next version a copy of this older one (restore); never conflicts.</summary>
    public Manifest? RestoreFrom { get; init; }

    /// <summary>
    /// The transaction adds something to every fragment (e.g. a column), so a fragment another
    /// writer added meanwhile makes it conflict.
    /// </summary>
    public bool CoversAllFragments { get; init; }

    /// <summary>Builds the manifest of the version after <paramref name="basis"/>.</summary>
    public Manifest Build(Manifest basis)
    {
        var manifest = basis.CopyForNextVersion();
        // Lance's own indices (kept from a LanceDB-written manifest) stay valid when rows are only
        // added or marked deleted; anything that rewrites fragments or the schema drops them. Ours
        // know which fragments they cover and stay (rows they do not cover are searched exactly).
        if (Overwrite || NewSchema is not null
            || Replaced.Any(r => r.Value is null || !r.Value.Files.Select(f => f.Path).SequenceEqual(basis.Fragments.First(f => f.Id == r.Key).Files.Select(f => f.Path), StringComparer.Ordinal)))
        {
            manifest.Indices = manifest.Indices.Where(i => !i.IsForeign).ToList();
        }

        if (RestoreFrom is { } old)
        {
            manifest.Schema = old.Schema;
            manifest.Fragments = old.Fragments.ToList();
            manifest.MaxFragmentId = Math.Max(basis.MaxFragmentId, old.MaxFragmentId);
            manifest.Indices = old.Indices;
            return manifest;
        }

        if (NewSchema is not null)
        {
            manifest.Schema = NewSchema;
        }

        if (Overwrite)
        {
            // New data (maybe with another schema): no index describes it.
            manifest.Indices = [];
        }

        if (NewFileVersion is { } version)
        {
            manifest.DataFormatVersion = version.DatasetVersion;
        }

        var fragments = Overwrite
            ? []
            : basis.Fragments
                .Select(f => Replaced.TryGetValue(f.Id, out var replacement) ? replacement : f)
                .Where(f => f is not null)
                .Select(f => f!)
                .ToList();
        var next = NextFragmentId(basis);
        foreach (var (file, rows) in NewFragments)
        {
            fragments.Add(new DataFragment { Id = next++, Files = [file], PhysicalRows = rows });
        }

        manifest.Fragments = fragments;
        manifest.MaxFragmentId = next == 0 ? 0u : checked((uint)Math.Max(basis.MaxFragmentId, next - 1));
        return manifest;
    }

    /// <summary>
    /// Throws <see cref="LanceCommitConflictException"/> when what changed between
    /// <paramref name="start"/> (the version this transaction read) and <paramref name="latest"/>
    /// makes it invalid.
    /// </summary>
    public void CheckCompatible(Manifest start, Manifest latest, string datasetPath)
    {
        if (Overwrite || RestoreFrom is not null)
        {
            return;
        }

        if (!SchemasEqual(start.Schema, latest.Schema))
        {
            throw new LanceCommitConflictException(
                $"Another writer changed the schema of '{datasetPath}' (now version {latest.Version}) while a {Operation} based on version {start.Version} was being committed; nothing was committed. Re-open the table and try again.");
        }

        // New files have the version the dataset had when they were written; Lance refuses a mix.
        if (NewFragments.Count > 0 && latest.DataFormatVersion != start.DataFormatVersion)
        {
            throw new LanceCommitConflictException(
                $"Another writer changed the data file format of '{datasetPath}' from {start.DataFormatVersion} to {latest.DataFormatVersion} (now version {latest.Version}) while a {Operation} based on version {start.Version} was being committed; nothing was committed. Re-open the table and try again.");
        }

        var latestById = latest.Fragments.ToDictionary(f => f.Id);
        var startById = start.Fragments.ToDictionary(f => f.Id);
        foreach (var id in Replaced.Keys)
        {
            if (!latestById.TryGetValue(id, out var now) || !SameFragment(startById[id], now))
            {
                throw new LanceCommitConflictException(
                    $"Another writer changed fragment {id} of '{datasetPath}' (now version {latest.Version}) while a {Operation} based on version {start.Version} that changes the same rows was being committed; nothing was committed. Re-open the table and try again.");
            }
        }

        if (CoversAllFragments && (latest.Fragments.Count != start.Fragments.Count || latest.Fragments.Any(f => !startById.TryGetValue(f.Id, out var was) || !SameFragment(was, f))))
        {
            throw new LanceCommitConflictException(
                $"Another writer changed the rows of '{datasetPath}' (now version {latest.Version}) while a {Operation} based on version {start.Version} that touches every fragment was being committed; nothing was committed. Re-open the table and try again.");
        }
    }

    /// <summary>The id the next new fragment gets after <paramref name="basis"/>.</summary>
    public static ulong NextFragmentId(Manifest basis)
        => basis.Fragments.Count == 0 && basis.MaxFragmentId == 0 ? 0u : basis.MaxFragmentId + 1UL;

    private static bool SameFragment(DataFragment a, DataFragment b)
        => a.PhysicalRows == b.PhysicalRows
            && a.Files.Select(f => f.Path).SequenceEqual(b.Files.Select(f => f.Path), StringComparer.Ordinal)
            && (a.DeletionFile, b.DeletionFile) switch
            {
                (null, null) => true,
                ({ } x, { } y) => x.Id == y.Id && x.ReadVersion == y.ReadVersion && x.FileType == y.FileType,
                _ => false,
            };

    private static bool SchemasEqual(LanceSchema a, LanceSchema b)
        => a.AllFields.Select(f => (f.Id, f.ParentId, f.Name, f.LogicalType, f.Nullable))
            .SequenceEqual(b.AllFields.Select(f => (f.Id, f.ParentId, f.Name, f.LogicalType, f.Nullable)));
}

/// <summary>Test hooks for fault injection around commits (a child process pauses or dies there).</summary>
internal static class CommitHooks
{
    /// <summary>Runs before each attempt to commit a manifest.</summary>
    public static Action? BeforeCommit { get; set; }

    /// <summary>Runs after the temporary manifest is written and before it is renamed into place.</summary>
    public static Action? BeforeRename { get; set; }
}
