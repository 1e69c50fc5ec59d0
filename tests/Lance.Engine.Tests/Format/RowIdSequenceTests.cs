using Lance.Engine.Format.RowIds;

namespace Lance.Engine.Tests.Format;

public sealed class RowIdSequenceTests
{
    // The fragment LanceDB 0.31 wrote when it compacted a stable-row-id table (rows 0..9 less the
    // deleted 3 and 5, then 10..14, then the updated row 5): a range with a bitmap and two ranges.
    private static readonly byte[] LanceDbCompactedRowIds =
        [0x0A, 0x08, 0x1A, 0x06, 0x10, 0x0A, 0x1A, 0x02, 0xD7, 0x03, 0x0A, 0x06, 0x0A, 0x04, 0x08, 0x0A, 0x10, 0x0F, 0x0A, 0x06, 0x0A, 0x04, 0x08, 0x05, 0x10, 0x06];

    // Its created-at versions: 8 rows of version 1, 5 of version 2, 1 of version 4.
    private static readonly byte[] LanceDbCompactedUpdatedAt =
    [
        0x0A, 0x0C, 0x0A, 0x08, 0x1A, 0x06, 0x10, 0x0A, 0x1A, 0x02, 0xD7, 0x03, 0x10, 0x01, 0x0A, 0x08, 0x0A, 0x04, 0x0A, 0x02, 0x10, 0x05, 0x10, 0x02,
        0x0A, 0x08, 0x0A, 0x04, 0x0A, 0x02, 0x10, 0x01, 0x10, 0x04,
    ];

    [Fact]
    public void Row_ids_LanceDB_wrote_as_a_range_with_a_bitmap_decode_to_the_ids_its_scan_reported()
    {
        // LanceDB's own scan (withRowId) of that table read these ids, in this order.
        Assert.Equal([0UL, 1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 5], RowIdSequence.Decode(LanceDbCompactedRowIds));
    }

    [Fact]
    public void Row_versions_LanceDB_wrote_decode_one_per_row()
    {
        var versions = RowVersionSequence.Decode(LanceDbCompactedUpdatedAt, 14, fallback: 99);

        Assert.Equal(Enumerable.Repeat(1UL, 8).Concat(Enumerable.Repeat(2UL, 5)).Append(4UL), versions);
    }

    public static TheoryData<ulong[]> Shapes => new()
    {
        Array.Empty<ulong>(),
        new ulong[] { 7 },
        Enumerable.Range(0, 100).Select(i => (ulong)i).ToArray(),
        Enumerable.Range(0, 100).Where(i => i % 3 != 0).Select(i => (ulong)i).ToArray(),
        Enumerable.Range(0, 40).Select(i => 1000UL + (ulong)i).Concat(new ulong[] { 5, 3, 900_000 }).Concat(Enumerable.Range(0, 20).Select(i => 50UL + (ulong)i)).ToArray(),
        new ulong[] { 9, 4, 70_000, 2, 1UL << 40, 0 },
        new ulong[] { ulong.MaxValue - 1, 0 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Row_ids_of_any_shape_decode_to_what_was_encoded(ulong[] ids)
    {
        Assert.Equal(ids, RowIdSequence.Decode(RowIdSequence.Encode(ids)));
    }

    [Fact]
    public void Row_versions_encode_as_runs_and_decode_per_row()
    {
        ulong[] versions = [3, 3, 3, 5, 5, 3, 9];

        Assert.Equal(versions, RowVersionSequence.Decode(RowVersionSequence.Encode(versions), versions.Length, fallback: 0));
    }

    [Fact]
    public void Corrupt_row_ids_are_a_format_exception()
    {
        Assert.Throws<LanceFormatException>(() => RowIdSequence.Decode([0x0A, 0x05, 0x0A, 0x03]));
        // A u16 array with an odd number of offset bytes.
        Assert.Throws<LanceFormatException>(() => RowIdSequence.Decode([0x0A, 0x07, 0x2A, 0x05, 0x0A, 0x03, 0x12, 0x01, 0x01]));
    }
}
