using System.Buffers.Binary;
using Google.Protobuf;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Format.RowIds;

/// <summary>
/// The row ids of a fragment of a dataset with stable row ids: Lance's <c>RowIdSequence</c>
/// message (segments of ranges, ranges with holes or a bitmap, and plain arrays). Every encoding
/// is read; runs of consecutive ids are written as ranges and the rest as arrays, which Lance reads
/// the same way.
/// </summary>
internal static class RowIdSequence
{
    /// <summary>Runs of consecutive ids at least this long become a range of their own.</summary>
    private const int MinRangeRun = 8;

    /// <summary>The ids held by a serialized sequence, in row order.</summary>
    /// <exception cref="LanceFormatException">The bytes are not a valid sequence.</exception>
    public static ulong[] Decode(ReadOnlySpan<byte> bytes)
    {
        PbTable.RowIdSequence proto;
        try
        {
            proto = PbTable.RowIdSequence.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException("Corrupt row id sequence: its protobuf message cannot be parsed.", e);
        }

        var values = new List<ulong>();
        foreach (var segment in proto.Segments)
        {
            AppendSegment(segment, values);
        }

        return [.. values];
    }

    /// <summary>The number of values a segment holds (without expanding it where it can be avoided).</summary>
    public static long SegmentLength(PbTable.U64Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return segment.SegmentCase switch
        {
            PbTable.U64Segment.SegmentOneofCase.Range => checked((long)(segment.Range.End - segment.Range.Start)),
            _ => Expand(segment).Count,
        };
    }

    /// <summary>Encodes the ids <paramref name="start"/>, <paramref name="start"/> + 1, ... (<paramref name="count"/> of them).</summary>
    public static byte[] EncodeRange(ulong start, ulong count)
    {
        var proto = new PbTable.RowIdSequence();
        proto.Segments.Add(new PbTable.U64Segment { Range = new PbTable.U64Segment.Types.Range { Start = start, End = start + count } });
        return proto.ToByteArray();
    }

    /// <summary>Encodes ids (in row order) as a serialized sequence.</summary>
    public static byte[] Encode(ReadOnlySpan<ulong> ids) => ToProto(ids).ToByteArray();

    /// <summary>The sequence message for <paramref name="ids"/>.</summary>
    public static PbTable.RowIdSequence ToProto(ReadOnlySpan<ulong> ids)
    {
        var proto = new PbTable.RowIdSequence();
        var pendingStart = 0; // the first id not yet put in a segment
        var i = 0;
        while (i < ids.Length)
        {
            var run = 1;
            while (i + run < ids.Length && ids[i + run] == ids[i + run - 1] + 1)
            {
                run++;
            }

            if (run >= MinRangeRun || (run == ids.Length))
            {
                if (pendingStart < i)
                {
                    proto.Segments.Add(ArraySegment(ids[pendingStart..i]));
                }

                proto.Segments.Add(new PbTable.U64Segment { Range = new PbTable.U64Segment.Types.Range { Start = ids[i], End = ids[i + run - 1] + 1 } });
                pendingStart = i + run;
            }

            i += run;
        }

        if (pendingStart < ids.Length)
        {
            proto.Segments.Add(ArraySegment(ids[pendingStart..]));
        }

        return proto;
    }

    /// <summary>A sorted or unsorted array segment, its offsets as narrow as the values allow.</summary>
    private static PbTable.U64Segment ArraySegment(ReadOnlySpan<ulong> values)
    {
        var sorted = true;
        var min = ulong.MaxValue;
        var max = 0UL;
        for (var i = 0; i < values.Length; i++)
        {
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
            sorted &= i == 0 || values[i] > values[i - 1];
        }

        var array = EncodeArray(values, min, max);
        return sorted ? new PbTable.U64Segment { SortedArray = array } : new PbTable.U64Segment { Array = array };
    }

    private static PbTable.EncodedU64Array EncodeArray(ReadOnlySpan<ulong> values, ulong min, ulong max)
    {
        var span = max - min;
        if (span <= ushort.MaxValue)
        {
            var bytes = new byte[values.Length * 2];
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)(values[i] - min));
            }

            return new PbTable.EncodedU64Array { U16Array = new PbTable.EncodedU64Array.Types.U16Array { Base = min, Offsets = ByteString.CopyFrom(bytes) } };
        }

        if (span <= uint.MaxValue)
        {
            var bytes = new byte[values.Length * 4];
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), (uint)(values[i] - min));
            }

            return new PbTable.EncodedU64Array { U32Array = new PbTable.EncodedU64Array.Types.U32Array { Base = min, Offsets = ByteString.CopyFrom(bytes) } };
        }

        var wide = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(wide.AsSpan(i * 8), values[i]);
        }

        return new PbTable.EncodedU64Array { U64Array = new PbTable.EncodedU64Array.Types.U64Array { Values = ByteString.CopyFrom(wide) } };
    }

    /// <summary>The values of one segment.</summary>
    public static List<ulong> Expand(PbTable.U64Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var values = new List<ulong>();
        AppendSegment(segment, values);
        return values;
    }

    private static void AppendSegment(PbTable.U64Segment segment, List<ulong> values)
    {
        switch (segment.SegmentCase)
        {
            case PbTable.U64Segment.SegmentOneofCase.Range:
                CheckRange(segment.Range.Start, segment.Range.End);
                for (var v = segment.Range.Start; v < segment.Range.End; v++)
                {
                    values.Add(v);
                }

                break;
            case PbTable.U64Segment.SegmentOneofCase.RangeWithHoles:
            {
                var r = segment.RangeWithHoles;
                CheckRange(r.Start, r.End);
                var holes = r.Holes is null ? [] : DecodeArray(r.Holes).ToHashSet();
                for (var v = r.Start; v < r.End; v++)
                {
                    if (!holes.Contains(v))
                    {
                        values.Add(v);
                    }
                }

                break;
            }

            case PbTable.U64Segment.SegmentOneofCase.RangeWithBitmap:
            {
                var r = segment.RangeWithBitmap;
                CheckRange(r.Start, r.End);
                var bitmap = r.Bitmap.Span;
                if ((ulong)bitmap.Length * 8 < r.End - r.Start)
                {
                    throw new LanceFormatException($"Corrupt row id sequence: a bitmap of {bitmap.Length} bytes cannot cover the range {r.Start}..{r.End}.");
                }

                for (var v = r.Start; v < r.End; v++)
                {
                    var bit = v - r.Start;
                    if ((bitmap[(int)(bit / 8)] & (1 << (int)(bit % 8))) != 0)
                    {
                        values.Add(v);
                    }
                }

                break;
            }

            case PbTable.U64Segment.SegmentOneofCase.SortedArray:
                values.AddRange(DecodeArray(segment.SortedArray));
                break;
            case PbTable.U64Segment.SegmentOneofCase.Array:
                values.AddRange(DecodeArray(segment.Array));
                break;
            default:
                throw new LanceFormatException("Corrupt row id sequence: a segment has no encoding.");
        }
    }

    private static void CheckRange(ulong start, ulong end)
    {
        // A fragment holds at most 2^32 rows: anything longer is corrupt, not a real sequence.
        if (end < start || end - start > uint.MaxValue)
        {
            throw new LanceFormatException($"Corrupt row id sequence: the range {start}..{end} is not a fragment's.");
        }
    }

    private static List<ulong> DecodeArray(PbTable.EncodedU64Array array)
    {
        var result = new List<ulong>();
        switch (array.ArrayCase)
        {
            case PbTable.EncodedU64Array.ArrayOneofCase.U16Array:
            {
                var bytes = array.U16Array.Offsets.Span;
                CheckWidth(bytes.Length, 2);
                for (var i = 0; i + 1 < bytes.Length; i += 2)
                {
                    result.Add(array.U16Array.Base + BinaryPrimitives.ReadUInt16LittleEndian(bytes[i..]));
                }

                break;
            }

            case PbTable.EncodedU64Array.ArrayOneofCase.U32Array:
            {
                var bytes = array.U32Array.Offsets.Span;
                CheckWidth(bytes.Length, 4);
                for (var i = 0; i + 3 < bytes.Length; i += 4)
                {
                    result.Add(array.U32Array.Base + BinaryPrimitives.ReadUInt32LittleEndian(bytes[i..]));
                }

                break;
            }

            case PbTable.EncodedU64Array.ArrayOneofCase.U64Array:
            {
                var bytes = array.U64Array.Values.Span;
                CheckWidth(bytes.Length, 8);
                for (var i = 0; i + 7 < bytes.Length; i += 8)
                {
                    result.Add(BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]));
                }

                break;
            }

            default:
                throw new LanceFormatException("Corrupt row id sequence: an array segment has no encoding.");
        }

        return result;
    }

    private static void CheckWidth(int length, int width)
    {
        if (length % width != 0)
        {
            throw new LanceFormatException($"Corrupt row id sequence: an array of {width}-byte values is {length} bytes long.");
        }
    }
}
