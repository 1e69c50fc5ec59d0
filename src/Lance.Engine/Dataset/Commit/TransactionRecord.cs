using Lance.Engine.Format;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Dataset;

/// <summary>
/// The Lance <c>Transaction</c> message a commit records, built as Lance builds its own: the
/// operation (Append, Delete, Update, Overwrite, Rewrite, Merge, Project, Restore, CreateIndex)
/// with the fragments it adds, changes and removes, so another writer that committed concurrently
/// (LanceDB) can check its own transaction against ours and rebase over it.
/// </summary>
internal static class TransactionRecord
{
    /// <summary>
    /// The record of <paramref name="transaction"/>, read at version <paramref name="readVersion"/>,
    /// committed as <paramref name="built"/> on top of <paramref name="basis"/>.
    /// </summary>
    public static PbTable.Transaction Describe(Transaction transaction, ulong readVersion, Manifest basis, Manifest built)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(built);
        var record = new PbTable.Transaction { ReadVersion = readVersion, Uuid = transaction.Uuid };
        var builtById = built.Fragments.ToDictionary(f => f.Id);
        var basisIds = basis.Fragments.Select(f => f.Id).ToHashSet();

        // New fragments are those of the built version no earlier version had (in order).
        var added = transaction.Overwrite
            ? built.Fragments.ToList()
            : built.Fragments.Where(f => !basisIds.Contains(f.Id) && !transaction.Replaced.ContainsKey(f.Id)).ToList();
        var updated = transaction.Replaced.Where(r => r.Value is not null).Select(r => builtById[r.Key]).ToList();
        var removed = transaction.Replaced.Where(r => r.Value is null).Select(r => r.Key).Order().ToList();
        switch (transaction.Kind)
        {
            case TransactionKind.Append:
            {
                // As Lance records an append: fragment ids and row ids are given when it commits.
                var append = new PbTable.Transaction.Types.Append();
                append.Fragments.AddRange(added.Select(Unnumbered));
                record.Append = append;
                break;
            }

            case TransactionKind.Delete:
            {
                var delete = new PbTable.Transaction.Types.Delete { Predicate = transaction.Predicate };
                delete.UpdatedFragments.AddRange(updated.Select(ManifestCodec.FragmentToProto));
                delete.DeletedFragmentIds.AddRange(removed);
                record.Delete = delete;
                break;
            }

            case TransactionKind.Update:
            {
                var update = new PbTable.Transaction.Types.Update { UpdateMode = PbTable.Transaction.Types.UpdateMode.RewriteRows };
                update.RemovedFragmentIds.AddRange(removed);
                update.UpdatedFragments.AddRange(updated.Select(ManifestCodec.FragmentToProto));
                update.NewFragments.AddRange(added.Select(ManifestCodec.FragmentToProto));
                record.Update = update;
                break;
            }

            case TransactionKind.Overwrite:
            {
                var overwrite = new PbTable.Transaction.Types.Overwrite();
                overwrite.Fragments.AddRange(added.Select(Unnumbered));
                overwrite.Schema.AddRange(built.Schema.ToProtoFields());
                built.Schema.CopyMetadataTo(overwrite.SchemaMetadata);
                record.Overwrite = overwrite;
                break;
            }

            case TransactionKind.Rewrite:
            {
                var rewrite = new PbTable.Transaction.Types.Rewrite();
                var basisById = basis.Fragments.ToDictionary(f => f.Id);
                var next = 0;
                foreach (var (oldIds, newCount) in transaction.RewriteGroups)
                {
                    var group = new PbTable.Transaction.Types.Rewrite.Types.RewriteGroup();
                    group.OldFragments.AddRange(oldIds.Where(basisById.ContainsKey).Select(id => ManifestCodec.FragmentToProto(basisById[id])));
                    group.NewFragments.AddRange(added.Skip(next).Take(newCount).Select(ManifestCodec.FragmentToProto));
                    next += newCount;
                    rewrite.Groups.Add(group);
                }

                foreach (var remapped in transaction.RewrittenIndices)
                {
                    rewrite.RewrittenIndices.Add(new PbTable.Transaction.Types.Rewrite.Types.RewrittenIndex
                    {
                        OldId = new PbTable.UUID { Uuid = Google.Protobuf.ByteString.CopyFrom(remapped.OldUuid.ToByteArray(bigEndian: true)) },
                        NewId = new PbTable.UUID { Uuid = Google.Protobuf.ByteString.CopyFrom(remapped.Index.Uuid.ToByteArray(bigEndian: true)) },
                        NewIndexDetails = new Google.Protobuf.WellKnownTypes.Any { TypeUrl = remapped.Index.DetailsTypeUrl, Value = Google.Protobuf.ByteString.CopyFrom(remapped.Index.Details) },
                        NewIndexVersion = (uint)(remapped.Index.IndexVersion ?? 0),
                    });
                }

                record.Rewrite = rewrite;
                break;
            }

            case TransactionKind.Merge:
            {
                // Lance's Merge lists every fragment of the new version, with its new files.
                var merge = new PbTable.Transaction.Types.Merge();
                merge.Fragments.AddRange(built.Fragments.Select(ManifestCodec.FragmentToProto));
                merge.Schema.AddRange(built.Schema.ToProtoFields());
                built.Schema.CopyMetadataTo(merge.SchemaMetadata);
                record.Merge = merge;
                break;
            }

            case TransactionKind.Project:
            {
                var project = new PbTable.Transaction.Types.Project();
                project.Schema.AddRange(built.Schema.ToProtoFields());
                record.Project = project;
                break;
            }

            case TransactionKind.Restore:
                record.Restore = new PbTable.Transaction.Types.Restore { Version = transaction.RestoreFrom?.Version ?? 0 };
                break;

            default:
                throw new InvalidOperationException($"No Lance transaction describes a {transaction.Kind} commit.");
        }

        return record;
    }

    /// <summary>The record of an index commit: the new index and the one of the same name it replaces.</summary>
    public static PbTable.Transaction CreateIndex(ulong readVersion, IndexMetadata index, IEnumerable<IndexMetadata> replaced)
        => CreateIndex(readVersion, [index], replaced);

    /// <summary>The record of an index change: the entries added (none for a drop, as Lance records one) and those removed.</summary>
    public static PbTable.Transaction CreateIndex(ulong readVersion, IReadOnlyList<IndexMetadata> added, IEnumerable<IndexMetadata> replaced)
    {
        var section = IndexSectionCodec.ToProto(added);
        var createIndex = new PbTable.Transaction.Types.CreateIndex();
        createIndex.NewIndices.AddRange(section.Indices);
        createIndex.RemovedIndices.AddRange(IndexSectionCodec.ToProto(replaced).Indices);
        return new PbTable.Transaction { ReadVersion = readVersion, Uuid = Guid.NewGuid().ToString("D"), CreateIndex = createIndex };
    }

    /// <summary>A new fragment as Lance records it before committing: no id and no row ids yet.</summary>
    private static PbTable.DataFragment Unnumbered(DataFragment fragment)
    {
        var proto = ManifestCodec.FragmentToProto(fragment);
        proto.Id = 0;
        proto.ClearRowIdSequence();
        proto.ClearLastUpdatedAtVersionSequence();
        proto.ClearCreatedAtVersionSequence();
        return proto;
    }
}
