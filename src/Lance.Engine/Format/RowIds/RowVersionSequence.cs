using Google.Protobuf;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Format.RowIds;

/// <summary>
/// Per row of a fragment (in row order), a dataset version: when the row was created or last
/// updated. Lance's <c>RowDatasetVersionSequence</c>, runs of equal versions whose span segment
/// counts the rows of the run (Lance writes the span as the run's row positions, or reuses a row id
/// segment; only its length matters).
/// </summary>
internal static class RowVersionSequence
{
    /// <summary>The version of every row; rows the sequence does not cover get <paramref name="fallback"/>.</summary>
    /// <exception cref="LanceFormatException">The bytes are not a valid sequence.</exception>
    public static ulong[] Decode(ReadOnlySpan<byte> bytes, int rows, ulong fallback)
    {
        PbTable.RowDatasetVersionSequence proto;
        try
        {
            proto = PbTable.RowDatasetVersionSequence.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException("Corrupt row version sequence: its protobuf message cannot be parsed.", e);
        }

        var result = new ulong[rows];
        Array.Fill(result, fallback);
        var position = 0L;
        foreach (var run in proto.Runs)
        {
            var length = run.Span is null ? 0 : RowIdSequence.SegmentLength(run.Span);
            for (var i = 0L; i < length && position < rows; i++)
            {
                result[position++] = run.Version;
            }
        }

        return result;
    }

    /// <summary>Encodes per-row versions as runs.</summary>
    public static byte[] Encode(ReadOnlySpan<ulong> versions)
    {
        var proto = new PbTable.RowDatasetVersionSequence();
        var start = 0;
        for (var i = 1; i <= versions.Length; i++)
        {
            if (i == versions.Length || versions[i] != versions[start])
            {
                proto.Runs.Add(new PbTable.RowDatasetVersionRun
                {
                    Span = new PbTable.U64Segment { Range = new PbTable.U64Segment.Types.Range { Start = (ulong)start, End = (ulong)i } },
                    Version = versions[start],
                });
                start = i;
            }
        }

        return proto.ToByteArray();
    }

    /// <summary>One version for all of <paramref name="rows"/> rows.</summary>
    public static byte[] Uniform(ulong rows, ulong version)
    {
        var proto = new PbTable.RowDatasetVersionSequence();
        if (rows > 0)
        {
            proto.Runs.Add(new PbTable.RowDatasetVersionRun
            {
                Span = new PbTable.U64Segment { Range = new PbTable.U64Segment.Types.Range { Start = 0, End = rows } },
                Version = version,
            });
        }

        return proto.ToByteArray();
    }
}
