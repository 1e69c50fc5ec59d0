using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Format;

/// <summary>
/// Reads and writes manifest files: <c>[u32 length][Manifest protobuf]</c> followed by a 16-byte
/// footer <c>u64 manifest position | u16 major=0 | u16 minor=2 | "LANC"</c>. Files written by
/// Lance may hold index and transaction sections before the manifest; the footer's position
/// skips them.
/// </summary>
internal static class ManifestCodec
{
    /// <summary>The four magic bytes that end every Lance file.</summary>
    public static ReadOnlySpan<byte> Magic => "LANC"u8;

    private const int FooterLength = 16;
    private const ushort ManifestMajorVersion = 0;
    private const ushort ManifestMinorVersion = 2;

    /// <summary>
    /// Encodes a manifest as a complete manifest file; with <paramref name="transaction"/>, the
    /// transaction that made the version is written inline before the manifest, as Lance does.
    /// </summary>
    /// <exception cref="LanceFormatException">The manifest is one LanceDB would refuse (stable row ids without a fragment's row ids).</exception>
    public static byte[] Encode(Manifest manifest, PbTable.Transaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var proto = ToProto(manifest);
        // A legacy (0.1) manifest file starts with the values of its dictionaries.
        byte[] dictionaries = manifest.DataFormatVersion == DataFormatVersions.Legacy
            ? Legacy.LegacyManifestDictionaries.Write(manifest.Schema, manifest.LegacyDictionaries, proto.Fields)
            : [];

        // Lance writes the index section next and records its position in the manifest.
        byte[] section = manifest.Indices.Count == 0 ? [] : IndexSectionCodec.ToProto(manifest.Indices).ToByteArray();
        var sectionLength = section.Length == 0 ? 0 : 4 + section.Length;
        int start = dictionaries.Length;
        if (sectionLength > 0)
        {
            proto.IndexSection = (ulong)start;
        }

        // Then the transaction section (LanceDB reads a version's transaction from here first).
        byte[] transactionBytes = transaction is null ? [] : transaction.ToByteArray();
        var transactionStart = start + sectionLength;
        if (transaction is not null)
        {
            proto.TransactionSection = (ulong)transactionStart;
            sectionLength += 4 + transactionBytes.Length;
        }

        byte[] message = proto.ToByteArray();
        var file = new byte[start + sectionLength + 4 + message.Length + FooterLength];
        dictionaries.CopyTo(file, 0);
        if (section.Length > 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(start), checked((uint)section.Length));
            section.CopyTo(file, start + 4);
        }

        if (transaction is not null)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(transactionStart), checked((uint)transactionBytes.Length));
            transactionBytes.CopyTo(file, transactionStart + 4);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(start + sectionLength), checked((uint)message.Length));
        message.CopyTo(file, start + sectionLength + 4);
        var footer = file.AsSpan(start + sectionLength + 4 + message.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)(start + sectionLength));
        BinaryPrimitives.WriteUInt16LittleEndian(footer[8..], ManifestMajorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(footer[10..], ManifestMinorVersion);
        Magic.CopyTo(footer[12..]);
        return file;
    }

    /// <summary>Decodes a whole manifest file.</summary>
    /// <param name="wholeFile">The file's bytes.</param>
    /// <param name="name">The file's path or name, for error messages.</param>
    /// <exception cref="LanceFormatException">The bytes are not a Lance manifest file, or it is truncated or corrupt.</exception>
    public static Manifest Decode(ReadOnlySpan<byte> wholeFile, string? name = null)
    {
        try
        {
            return DecodeUnnamed(wholeFile);
        }
        catch (LanceFormatException e) when (name is not null)
        {
            throw new LanceFormatException($"'{name}': {e.Message}", e);
        }
    }

    private static Manifest DecodeUnnamed(ReadOnlySpan<byte> wholeFile)
    {
        if (wholeFile.Length < FooterLength + 4 || !wholeFile[^4..].SequenceEqual(Magic))
        {
            throw new LanceFormatException(
                $"Not a Lance manifest, or truncated: the {wholeFile.Length}-byte file does not end with the magic bytes \"LANC\".");
        }

        var footer = wholeFile[^FooterLength..];
        ulong position = BinaryPrimitives.ReadUInt64LittleEndian(footer);
        if (position > (ulong)(wholeFile.Length - FooterLength - 4))
        {
            throw new LanceFormatException($"Corrupt manifest: its footer points at byte {position}, past the end of the {wholeFile.Length}-byte file.");
        }

        var rest = wholeFile[(int)position..^FooterLength];
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        if (length > (uint)(rest.Length - 4))
        {
            throw new LanceFormatException($"Corrupt manifest: its message claims {length} bytes but only {rest.Length - 4} remain.");
        }

        PbTable.Manifest proto;
        try
        {
            proto = PbTable.Manifest.Parser.ParseFrom(rest.Slice(4, (int)length));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException("Corrupt manifest: its protobuf message cannot be parsed.", e);
        }

        Manifest manifest;
        try
        {
            manifest = FromProto(proto);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw new LanceFormatException($"Corrupt manifest: {e.Message}", e);
        }

        if (proto.HasIndexSection)
        {
            manifest.Indices = IndexSectionCodec.Read(wholeFile[..^FooterLength], proto.IndexSection);
        }

        if (proto.HasTransactionSection)
        {
            // Only conflict checks read it: a section this engine cannot parse must not keep the
            // table's rows from being read (the transaction file is the fallback).
            try
            {
                manifest.InlineTransaction = ReadSection(wholeFile[..^FooterLength], proto.TransactionSection, PbTable.Transaction.Parser, "transaction");
            }
            catch (LanceFormatException)
            {
                manifest.InlineTransaction = null;
            }
        }

        if (manifest.DataFormatVersion == DataFormatVersions.Legacy)
        {
            manifest.LegacyDictionaries = Legacy.LegacyManifestDictionaries.Read(wholeFile[..^FooterLength], proto.Fields);
        }

        return manifest;
    }

    /// <summary>A <c>[u32 length][message]</c> section of a manifest file at <paramref name="position"/>.</summary>
    private static T ReadSection<T>(ReadOnlySpan<byte> body, ulong position, MessageParser<T> parser, string what)
        where T : IMessage<T>
    {
        if (position > (ulong)(body.Length - 4))
        {
            throw new LanceFormatException($"Corrupt manifest: its {what} section starts at byte {position}, past the end of the {body.Length}-byte body.");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(body[(int)position..]);
        if (length > (ulong)body.Length - position - 4)
        {
            throw new LanceFormatException($"Corrupt manifest: its {what} section claims {length} bytes but only {(ulong)body.Length - position - 4} remain.");
        }

        try
        {
            return parser.ParseFrom(body.Slice((int)position + 4, (int)length));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"Corrupt manifest: its {what} section cannot be parsed.", e);
        }
    }

    /// <summary>
    /// The reader and writer feature flags of a manifest, set from its content as Lance sets them
    /// (its <c>apply_feature_flags</c>): deletion files (1), stable row ids (2), a table config
    /// (8, writers only) and other base paths (16, kept as read).
    /// </summary>
    /// <exception cref="LanceFormatException">Row ids are stable but a fragment has none (LanceDB refuses such a manifest).</exception>
    public static (ulong Reader, ulong Writer) FeatureFlags(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ulong reader = 0;
        ulong writer = 0;
        if (manifest.Fragments.Any(f => f.DeletionFile is not null))
        {
            reader |= Manifest.FeatureDeletionFiles;
            writer |= Manifest.FeatureDeletionFiles;
        }

        if (manifest.UsesStableRowIds || manifest.Fragments.Any(f => f.RowIds is not null))
        {
            if (manifest.Fragments.FirstOrDefault(f => f.RowIds is null) is { } missing)
            {
                throw new LanceFormatException(
                    $"Refusing to write version {manifest.Version}: the dataset has stable row ids but fragment {missing.Id} has none (LanceDB would refuse the manifest: \"All fragments must have row ids\").");
            }

            reader |= Manifest.FeatureStableRowIds;
            writer |= Manifest.FeatureStableRowIds;
        }

        if (manifest.Config.Count > 0)
        {
            writer |= Manifest.FeatureTableConfig;
        }

        reader |= manifest.ReaderFeatureFlags & Manifest.FeatureBasePaths;
        writer |= manifest.WriterFeatureFlags & Manifest.FeatureBasePaths;
        return (reader, writer);
    }

    /// <summary>The protobuf form of a manifest.</summary>
    public static PbTable.Manifest ToProto(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var (readerFlags, writerFlags) = FeatureFlags(manifest);
        var proto = new PbTable.Manifest
        {
            Version = manifest.Version,
            Timestamp = Timestamp.FromDateTimeOffset(manifest.Timestamp),
            WriterVersion = new PbTable.Manifest.Types.WriterVersion { Library = manifest.WriterLibrary, Version = manifest.WriterVersion },
            // Readers that lack a feature the content needs must refuse the dataset, so the flags follow the content.
            ReaderFeatureFlags = readerFlags,
            WriterFeatureFlags = writerFlags,
            DataFormat = new PbTable.Manifest.Types.DataStorageFormat { FileFormat = manifest.DataFileFormat, Version = manifest.DataFormatVersion },
            NextRowId = manifest.NextRowId,
            TransactionFile = manifest.TransactionFile,
        };
        if (manifest.MaxFragmentId is { } maxFragmentId)
        {
            proto.MaxFragmentId = maxFragmentId;
        }

        proto.Fields.AddRange(manifest.Schema.ToProtoFields());
        manifest.Schema.CopyMetadataTo(proto.SchemaMetadata);
        foreach (var (key, value) in manifest.Config)
        {
            proto.Config[key] = value;
        }

        foreach (var fragment in manifest.Fragments)
        {
            proto.Fragments.Add(FragmentToProto(fragment));
        }

        return proto;
    }

    /// <summary>The protobuf form of a fragment (also used in transactions).</summary>
    public static PbTable.DataFragment FragmentToProto(DataFragment fragment)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        var pbFragment = new PbTable.DataFragment { Id = fragment.Id, PhysicalRows = fragment.PhysicalRows };
        foreach (var file in fragment.Files)
        {
            var pbFile = new PbTable.DataFile
            {
                Path = file.Path,
                FileMajorVersion = file.FileMajorVersion,
                FileMinorVersion = file.FileMinorVersion,
                FileSizeBytes = file.FileSizeBytes,
            };
            pbFile.Fields.AddRange(file.Fields);
            pbFile.ColumnIndices.AddRange(file.ColumnIndices);
            pbFragment.Files.Add(pbFile);
        }

        if (fragment.DeletionFile is { } deletion)
        {
            pbFragment.DeletionFile = new PbTable.DeletionFile
            {
                FileType = (PbTable.DeletionFile.Types.DeletionFileType)deletion.FileType,
                ReadVersion = deletion.ReadVersion,
                Id = deletion.Id,
                NumDeletedRows = deletion.NumDeletedRows,
            };
        }

        if (fragment.RowIds is { } rowIds)
        {
            if (rowIds.Inline is { } bytes)
            {
                pbFragment.InlineRowIds = ByteString.CopyFrom(bytes);
            }
            else
            {
                pbFragment.ExternalRowIds = ExternalToProto(rowIds);
            }
        }

        if (fragment.LastUpdatedAtVersions is { } updated)
        {
            if (updated.Inline is { } bytes)
            {
                pbFragment.InlineLastUpdatedAtVersions = ByteString.CopyFrom(bytes);
            }
            else
            {
                pbFragment.ExternalLastUpdatedAtVersions = ExternalToProto(updated);
            }
        }

        if (fragment.CreatedAtVersions is { } created)
        {
            if (created.Inline is { } bytes)
            {
                pbFragment.InlineCreatedAtVersions = ByteString.CopyFrom(bytes);
            }
            else
            {
                pbFragment.ExternalCreatedAtVersions = ExternalToProto(created);
            }
        }

        return pbFragment;
    }

    private static PbTable.ExternalFile ExternalToProto(RowIds.SerializedSequence sequence)
        => new() { Path = sequence.ExternalPath ?? "", Offset = sequence.ExternalOffset, Size = sequence.ExternalSize };

    private static RowIds.SerializedSequence? SequenceFromProto(ByteString? inline, PbTable.ExternalFile? external)
        => inline is not null ? RowIds.SerializedSequence.FromBytes(inline.ToByteArray())
            : external is not null ? new RowIds.SerializedSequence { ExternalPath = external.Path, ExternalOffset = external.Offset, ExternalSize = external.Size }
            : null;

    /// <summary>The manifest described by a protobuf message.</summary>
    public static Manifest FromProto(PbTable.Manifest proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        var manifest = new Manifest
        {
            Version = proto.Version,
            Schema = LanceSchema.FromProto(proto.Fields, proto.SchemaMetadata),
            // Old manifests lack the field: then the largest id present is the largest ever used.
            MaxFragmentId = proto.HasMaxFragmentId ? proto.MaxFragmentId : proto.Fragments.Count == 0 ? null : (uint)proto.Fragments.Max(f => f.Id),
            Timestamp = proto.Timestamp is null ? default : proto.Timestamp.ToDateTimeOffset(),
            WriterLibrary = proto.WriterVersion?.Library ?? "",
            WriterVersion = proto.WriterVersion?.Version ?? "",
            ReaderFeatureFlags = proto.ReaderFeatureFlags,
            WriterFeatureFlags = proto.WriterFeatureFlags,
            DataFileFormat = proto.DataFormat?.FileFormat ?? "lance",
            // A manifest without data_format predates 2.x files: legacy (0.1) format.
            DataFormatVersion = proto.DataFormat?.Version ?? "0.1",
            NextRowId = proto.NextRowId,
            TransactionFile = proto.TransactionFile,
            IndexSectionPosition = proto.HasIndexSection ? proto.IndexSection : null,
        };
        foreach (var (key, value) in proto.Config)
        {
            manifest.Config[key] = value;
        }

        foreach (var pbFragment in proto.Fragments)
        {
            var fragment = new DataFragment
            {
                Id = pbFragment.Id,
                PhysicalRows = pbFragment.PhysicalRows,
                RowIds = SequenceFromProto(pbFragment.HasInlineRowIds ? pbFragment.InlineRowIds : null, pbFragment.ExternalRowIds),
                LastUpdatedAtVersions = SequenceFromProto(pbFragment.HasInlineLastUpdatedAtVersions ? pbFragment.InlineLastUpdatedAtVersions : null, pbFragment.ExternalLastUpdatedAtVersions),
                CreatedAtVersions = SequenceFromProto(pbFragment.HasInlineCreatedAtVersions ? pbFragment.InlineCreatedAtVersions : null, pbFragment.ExternalCreatedAtVersions),
            };
            foreach (var pbFile in pbFragment.Files)
            {
                fragment.Files.Add(new DataFile
                {
                    Path = pbFile.Path,
                    Fields = pbFile.Fields.ToList(),
                    ColumnIndices = pbFile.ColumnIndices.ToList(),
                    FileMajorVersion = pbFile.FileMajorVersion,
                    FileMinorVersion = pbFile.FileMinorVersion,
                    FileSizeBytes = pbFile.FileSizeBytes,
                });
            }

            if (pbFragment.DeletionFile is { } deletion)
            {
                fragment.DeletionFile = new DeletionFileInfo
                {
                    FileType = (DeletionFileType)deletion.FileType,
                    ReadVersion = deletion.ReadVersion,
                    Id = deletion.Id,
                    NumDeletedRows = deletion.NumDeletedRows,
                };
            }

            manifest.Fragments.Add(fragment);
        }

        return manifest;
    }
}
