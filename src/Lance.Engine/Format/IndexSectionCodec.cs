using System.Buffers.Binary;
using Google.Protobuf;
using Lance.Engine.Index;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Format;

/// <summary>Reads and writes the index section of a manifest file (<c>[u32 length][IndexSection]</c>).</summary>
internal static class IndexSectionCodec
{
    /// <summary>The protobuf form of a list of indexes.</summary>
    public static PbTable.IndexSection ToProto(IEnumerable<IndexMetadata> indices)
    {
        var section = new PbTable.IndexSection();
        foreach (var index in indices)
        {
            if (index.IsForeign)
            {
                section.Indices.Add(index.Original!.Clone());
                continue;
            }

            var pb = new PbTable.IndexMetadata
            {
                Uuid = new PbTable.UUID { Uuid = ByteString.CopyFrom(index.Uuid.ToByteArray(bigEndian: true)) },
                Name = index.Name,
                DatasetVersion = index.DatasetVersion,
                FragmentBitmap = ByteString.CopyFrom(RoaringBitmap.Serialize(index.Fragments.Select(f => checked((uint)f)))),
            };
            pb.Fields.AddRange(index.Fields);
            if (index.DetailsTypeUrl.Length > 0)
            {
                pb.IndexDetails = new Google.Protobuf.WellKnownTypes.Any { TypeUrl = index.DetailsTypeUrl, Value = ByteString.CopyFrom(index.Details) };
            }

            if (index.IndexVersion is { } version)
            {
                pb.IndexVersion = version;
            }

            section.Indices.Add(pb);
        }

        return section;
    }

    /// <summary>Reads the index section that starts at <paramref name="position"/> of a manifest file.</summary>
    /// <exception cref="LanceFormatException">The section is cut short or unparseable.</exception>
    public static List<IndexMetadata> Read(ReadOnlySpan<byte> wholeFile, ulong position)
    {
        if (position > (ulong)(wholeFile.Length - 4))
        {
            throw new LanceFormatException($"Corrupt manifest: its index section position {position} is past the end of the {wholeFile.Length}-byte file.");
        }

        var rest = wholeFile[(int)position..];
        var length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        if (length > (uint)(rest.Length - 4))
        {
            throw new LanceFormatException($"Corrupt manifest: its index section claims {length} bytes but only {rest.Length - 4} remain.");
        }

        PbTable.IndexSection section;
        try
        {
            section = PbTable.IndexSection.Parser.ParseFrom(rest.Slice(4, (int)length));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException("Corrupt manifest: its index section cannot be parsed.", e);
        }

        return section.Indices.Select(pb => new IndexMetadata
        {
            Uuid = pb.Uuid is null || pb.Uuid.Uuid.Length != 16 ? Guid.Empty : new Guid(pb.Uuid.Uuid.Span, bigEndian: true),
            Fields = pb.Fields.ToList(),
            Name = pb.Name,
            DatasetVersion = pb.DatasetVersion,
            Fragments = RoaringBitmap.Deserialize(pb.FragmentBitmap.Span).Select(f => (ulong)f).ToList(),
            DetailsTypeUrl = pb.IndexDetails?.TypeUrl ?? "",
            Details = pb.IndexDetails?.Value.ToByteArray() ?? [],
            IndexVersion = pb.HasIndexVersion ? pb.IndexVersion : null,
            Original = pb,
        }).ToList();
    }
}
