using Lance.Engine.Format;
using Lance.Engine.Format.RowIds;

namespace Lance.Engine.Dataset;

/// <summary>
/// One write to a dataset, described by what it changes rather than by the manifest it produces, so
/// it can be rebuilt on a newer version when another writer commits first: the fragments it adds,
/// the fragments it replaces or removes (by id), and a new schema. Compatible concurrent changes
/// (appends beside appends or deletes of other fragments) rebase; incompatible ones throw
/// <see cref="LanceCommitConflictException"/>. Each commit also records it as a Lance transaction
/// (see <see cref="TransactionRecord"/>).
/// </summary>
internal sealed class Transaction
{
    /// <summary>How many times a commit is rebuilt on a newer version before giving up.</summary>
    public const int CommitAttempts = 50;

    /// <summary>
    /// The pause before commit attempt <paramref name="attempt"/> + 1 after another writer won the
    /// race: none after the first loss, then a random pause whose ceiling doubles up to 128 ms, so
    /// that two writers committing in a tight loop stop colliding in step and neither is starved.
    /// </summary>
    public static TimeSpan Backoff(int attempt)
        => attempt == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Random.Shared.Next(1, 2 << Math.Min(attempt, 6)));

    public Transaction(TransactionKind kind, string operation)
    {
        Kind = kind;
        Operation = operation;
    }

    /// <summary>The Lance operation this transaction is recorded as.</summary>
    public TransactionKind Kind { get; }

    /// <summary>A short name of the operation for messages (e.g. <c>delete</c>).</summary>
    public string Operation { get; }

    /// <summary>The transaction's id (Lance's <c>uuid</c>, hyphenated), also in its file name.</summary>
    public string Uuid { get; } = Guid.NewGuid().ToString("D");

    /// <summary>Data files written for new fragments (numbered when the manifest is built).</summary>
    public List<(DataFile File, ulong Rows)> NewFragments { get; init; } = [];

    /// <summary>Existing fragments this transaction changes: the new fragment, or null when it is removed.</summary>
    public Dictionary<ulong, DataFragment?> Replaced { get; init; } = [];

    /// <summary>The new schema, when the transaction changes it.</summary>
    public LanceSchema? NewSchema { get; init; }

    /// <summary>Replace every fragment by <see cref="NewFragments"/> (overwrite); never conflicts.</summary>
    public bool Overwrite => Kind == TransactionKind.Overwrite;

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

    /// <summary>With stable row ids: the ids (and versions) the first new rows keep; null when all rows are new.</summary>
    public RowLineage? Lineage { get; init; }

    /// <summary>
    /// With <see cref="Overwrite"/> on a new dataset: give it stable row ids (Lance's
    /// <c>enable_stable_row_ids</c>). An existing dataset keeps what it has.
    /// </summary>
    public bool EnableStableRowIds { get; init; }

    /// <summary>A delete's filter (SQL), recorded in its transaction; empty when not known.</summary>
    public string Predicate { get; init; } = "";

    /// <summary>
    /// A compaction's groups: the fragments each run replaces, and how many of
    /// <see cref="NewFragments"/> (in order) it wrote.
    /// </summary>
    public List<(IReadOnlyList<ulong> OldIds, int NewCount)> RewriteGroups { get; init; } = [];

    /// <summary>A compaction's remapped indexes (their files written): each replaces the entry of its old id.</summary>
    public List<RemappedIndex> RewrittenIndices { get; } = [];

    /// <summary>
    /// The id the first of <see cref="NewFragments"/> must get (the remapped indexes name the new fragments by id), or
    /// null when any will do. A version that added fragments meanwhile makes the commit plan again.
    /// </summary>
    public ulong? FirstNewFragmentId { get; set; }

    /// <summary>Builds the manifest of the version after <paramref name="basis"/>.</summary>
    public Manifest Build(Manifest basis)
    {
        var manifest = basis.CopyForNextVersion();
        // Lance's own indices (kept from a LanceDB-written manifest) stay valid when rows are only
        // added or marked deleted; anything that rewrites fragments or the schema drops them. Ours
        // know which fragments they cover and stay (rows they do not cover are searched exactly).
        if (Overwrite || NewSchema is not null
            || Replaced.Any(r => r.Value is not null && !r.Value.Files.Select(f => f.Path).SequenceEqual(basis.Fragments.First(f => f.Id == r.Key).Files.Select(f => f.Path), StringComparer.Ordinal)))
        {
            // Scalar indexes (ours or LanceDB's) name rows by address: a rewritten fragment's rows moved.
            manifest.Indices = manifest.Indices.Where(i => !i.IsForeign && Index.Scalar.ScalarIndexFormat.KindOf(i) is null).ToList();
        }
        else if (Replaced.Any(r => r.Value is null) && Kind == TransactionKind.Rewrite)
        {
            // Compaction moved the rows of the fragments it removed into new ones. A remapped index takes its old
            // entry's place (as Lance's handle_rewrite_indices; an entry replaced meanwhile by another writer keeps
            // the newer one), an index over none of those fragments stays as it is. Of the others, those that know
            // which fragments they cover stay (our older format, full-text of a stable-row-id dataset: the moved
            // rows are searched without them); the rest go.
            var rewritten = RewrittenIndices.ToDictionary(r => r.OldUuid, r => r.Index);
            var removed = Replaced.Where(r => r.Value is null).Select(r => r.Key).ToHashSet();
            manifest.Indices = manifest.Indices
                .Select(i => rewritten.TryGetValue(i.Uuid, out var remapped) ? remapped : i)
                .Where(i => RewrittenIndices.Any(r => ReferenceEquals(r.Index, i)) || !i.Fragments.Any(removed.Contains)
                    || (!i.IsForeign && Index.Scalar.ScalarIndexFormat.KindOf(i) is null) || Index.FullText.FullTextIndex.IsFullText(i))
                .ToList();
            if (RewrittenIndices.Count > 0 && FirstNewFragmentId != NextFragmentId(basis))
            {
                throw new RetryableCommitConflictException(
                    $"The compaction of version {basis.Version} remapped its indexes to new fragments from id {FirstNewFragmentId}, but the next fragment id is {NextFragmentId(basis)}; nothing was committed.");
            }
        }

        if (RestoreFrom is { } old)
        {
            manifest.Schema = old.Schema;
            manifest.Fragments = old.Fragments.ToList();
            manifest.MaxFragmentId = basis.MaxFragmentId is { } a && old.MaxFragmentId is { } b ? Math.Max(a, b) : basis.MaxFragmentId ?? old.MaxFragmentId;
            // Ids given out after the restored version stay given out: new rows never reuse them.
            manifest.NextRowId = Math.Max(basis.NextRowId, old.NextRowId);
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

        // Stable row ids are chosen when a dataset is made and kept for good, as in Lance.
        var stable = basis.UsesStableRowIds;
        if (Overwrite && EnableStableRowIds && !stable)
        {
            if (basis.Version > 0)
            {
                throw new LanceException($"Cannot enable stable row ids on an existing dataset (version {basis.Version}); LanceDB refuses it too. Create a new dataset instead.");
            }

            manifest.ReaderFeatureFlags |= Manifest.FeatureStableRowIds;
            manifest.WriterFeatureFlags |= Manifest.FeatureStableRowIds;
            manifest.NextRowId = 0;
            stable = true;
        }

        var fragments = Overwrite
            ? []
            : basis.Fragments
                .Select(f => Replaced.TryGetValue(f.Id, out var replacement) ? replacement : f)
                .Where(f => f is not null)
                .Select(f => f!)
                .ToList();
        var next = NextFragmentId(basis);
        var nextRowId = manifest.NextRowId;
        var newRow = 0L;
        foreach (var (file, rows) in NewFragments)
        {
            var fragment = new DataFragment { Id = next++, Files = [file], PhysicalRows = rows };
            if (stable)
            {
                AssignRowIds(fragment, newRow, ref nextRowId, manifest.Version);
            }

            newRow += (long)rows;
            fragments.Add(fragment);
        }

        if (stable)
        {
            manifest.NextRowId = nextRowId;
        }

        manifest.Fragments = fragments;
        if (!Overwrite && Kind != TransactionKind.Rewrite && Replaced.Any(r => r.Value is null))
        {
            // A delete or update emptied fragments (they leave the manifest) and moved no other row: every index stays,
            // its fragment bitmap unchanged, as Lance keeps it; readers only use what it holds for fragments that
            // still exist. Like Lance, a vector index left covering none of them goes.
            manifest.Indices = IndexRetention.Retain(manifest.Indices, fragments.Select(f => f.Id));
        }

        manifest.MaxFragmentId = next == 0 ? basis.MaxFragmentId : checked((uint)(next - 1));
        return manifest;
    }

    /// <summary>
    /// Gives a new fragment its row ids and row versions: the first of the transaction's new rows
    /// keep theirs (<see cref="Lineage"/>), the rest take fresh ids from <paramref name="nextRowId"/>
    /// and are created at <paramref name="version"/> (as Lance's <c>assign_row_ids</c>).
    /// </summary>
    private void AssignRowIds(DataFragment fragment, long firstRow, ref ulong nextRowId, ulong version)
    {
        var rows = checked((int)fragment.PhysicalRows);
        var keptCount = Lineage is null ? 0 : (int)Math.Clamp(Lineage.RowIds.LongLength - firstRow, 0, rows);
        if (keptCount == 0)
        {
            fragment.RowIds = SerializedSequence.FromBytes(RowIdSequence.EncodeRange(nextRowId, (ulong)rows));
            fragment.CreatedAtVersions = SerializedSequence.FromBytes(RowVersionSequence.Uniform((ulong)rows, version));
            fragment.LastUpdatedAtVersions = fragment.CreatedAtVersions;
            nextRowId += (ulong)rows;
            return;
        }

        var ids = new ulong[rows];
        var created = new ulong[rows];
        var updated = new ulong[rows];
        for (var r = 0; r < rows; r++)
        {
            if (r < keptCount)
            {
                var source = (int)(firstRow + r);
                ids[r] = Lineage!.RowIds[source];
                created[r] = Lineage.CreatedAt[source];
                updated[r] = Lineage.LastUpdatedAt?[source] ?? version;
            }
            else
            {
                ids[r] = nextRowId++;
                created[r] = version;
                updated[r] = version;
            }
        }

        fragment.RowIds = SerializedSequence.FromBytes(RowIdSequence.Encode(ids));
        fragment.CreatedAtVersions = SerializedSequence.FromBytes(RowVersionSequence.Encode(created));
        fragment.LastUpdatedAtVersions = SerializedSequence.FromBytes(RowVersionSequence.Encode(updated));
    }

    /// <summary>
    /// Throws <see cref="LanceCommitConflictException"/> when what changed between
    /// <paramref name="start"/> (the version this transaction read) and <paramref name="latest"/>
    /// makes it invalid: <see cref="RetryableCommitConflictException"/> when running the operation
    /// again on <paramref name="latest"/> resolves it. <paramref name="concurrent"/> holds the
    /// transactions of the versions in between, where their writers recorded them (LanceDB does).
    /// </summary>
    public void CheckCompatible(Manifest start, Manifest latest, IReadOnlyList<(ulong Version, Format.Protos.Table.Transaction? Record)> concurrent, string datasetPath)
    {
        ArgumentNullException.ThrowIfNull(concurrent);
        if (Overwrite || RestoreFrom is not null)
        {
            return;
        }

        // The remapped indexes name the new fragments by the ids they get on the version read.
        if (FirstNewFragmentId is { } first && NextFragmentId(latest) != first)
        {
            throw new RetryableCommitConflictException(
                $"Another writer added fragments to '{datasetPath}' (now version {latest.Version}) while a {Operation} based on version {start.Version} that remapped the indexes to its new fragments was being committed; nothing was committed. Re-open the table and try again.");
        }

        // New files have the version the dataset had when they were written; Lance refuses a mix.
        if (NewFragments.Count > 0 && latest.DataFormatVersion != start.DataFormatVersion)
        {
            throw new LanceCommitConflictException(
                $"Another writer changed the data file format of '{datasetPath}' from {start.DataFormatVersion} to {latest.DataFormatVersion} (now version {latest.Version}) while a {Operation} based on version {start.Version} was being committed; nothing was committed. Re-open the table and try again.");
        }

        // What rewrote the whole table cannot be rebased over (Lance: an incompatible conflict).
        foreach (var (version, record) in concurrent)
        {
            var replacedAll = record?.OperationCase switch
            {
                Format.Protos.Table.Transaction.OperationOneofCase.Overwrite => "overwrote",
                Format.Protos.Table.Transaction.OperationOneofCase.Restore => "restored an older version of",
                _ => null,
            };
            if (replacedAll is not null)
            {
                throw new LanceCommitConflictException(
                    $"Another writer {replacedAll} '{datasetPath}' (version {version}) while a {Operation} based on version {start.Version} was being committed; nothing was committed. Re-open the table and try again.");
            }
        }

        // Operations that are run again on a conflict (they read the rows they change) can be retried.
        var rerunnable = Kind is TransactionKind.Delete or TransactionKind.Update or TransactionKind.Rewrite;
        if (!SchemasEqual(start.Schema, latest.Schema))
        {
            throw Conflict(rerunnable,
                $"Another writer changed the schema of '{datasetPath}' (now version {latest.Version}) while a {Operation} based on version {start.Version} was being committed; nothing was committed. Re-open the table and try again.");
        }

        var latestById = latest.Fragments.ToDictionary(f => f.Id);
        var startById = start.Fragments.ToDictionary(f => f.Id);
        foreach (var id in Replaced.Keys)
        {
            if (!latestById.TryGetValue(id, out var now) || !SameFragment(startById[id], now))
            {
                throw Conflict(rerunnable,
                    $"Another writer changed fragment {id} of '{datasetPath}' (now version {latest.Version}) while a {Operation} based on version {start.Version} that changes the same rows was being committed; nothing was committed. Re-open the table and try again.");
            }
        }

        if (CoversAllFragments && (latest.Fragments.Count != start.Fragments.Count || latest.Fragments.Any(f => !startById.TryGetValue(f.Id, out var was) || !SameFragment(was, f))))
        {
            throw Conflict(rerunnable,
                $"Another writer changed the rows of '{datasetPath}' (now version {latest.Version}) while a {Operation} based on version {start.Version} that touches every fragment was being committed; nothing was committed. Re-open the table and try again.");
        }
    }

    private static LanceCommitConflictException Conflict(bool retryable, string message)
        => retryable ? new RetryableCommitConflictException(message) : new LanceCommitConflictException(message);

    /// <summary>
    /// Removes the files this transaction wrote (new data files, new deletion files) after it failed
    /// to commit, so a retried operation leaves nothing behind; files <paramref name="start"/> uses stay.
    /// </summary>
    public Task DiscardWrittenFilesAsync(DatasetFiles files, Manifest start)
    {
        var kept = start.Fragments.SelectMany(f => f.Files).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var keptDeletions = start.Fragments.Where(f => f.DeletionFile is not null).Select(f => f.DeletionFile!.FileName(f.Id)).ToHashSet(StringComparer.Ordinal);
        var dataFiles = NewFragments.Select(f => f.File.Path)
            .Concat(Replaced.Values.Where(f => f is not null).SelectMany(f => f!.Files).Select(f => f.Path))
            .Where(p => !kept.Contains(p))
            .Select(DatasetFiles.DataKey);
        var deletions = Replaced.Where(r => r.Value?.DeletionFile is not null)
            .Select(r => r.Value!.DeletionFile!.FileName(r.Key))
            .Where(n => !keptDeletions.Contains(n))
            .Select(n => VersionNames.DeletionsFolder + "/" + n);
        return Task.WhenAll(files.TryDeleteAsync(dataFiles.Concat(deletions).ToList()), IndexRemapper.DiscardAsync(files, RewrittenIndices));
    }

    /// <summary>The id the next new fragment gets after <paramref name="basis"/>.</summary>
    public static ulong NextFragmentId(Manifest basis)
        => basis.MaxFragmentId is { } max ? max + 1UL : 0UL;

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
