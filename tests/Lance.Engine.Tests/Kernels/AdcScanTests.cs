using Lance.Engine.Index;
using Lance.Engine.Query;
using Lance.Engine.Search.Kernels;
using static Lance.Engine.Tests.Kernels.KernelData;

namespace Lance.Engine.Tests.Kernels;

public sealed class AdcScanTests
{
    public static TheoryData<int> AllWidths() => new(Widths);

    [Theory]
    [MemberData(nameof(AllWidths))]
    public void A_partition_scan_at_every_width_keeps_the_rows_and_bits_of_the_scalar_reference(int width)
    {
        var random = new Random(width + 3);
        foreach (var rowCount in new[] { 1, 3, 7, 15, 17, 31, 33, 383, 1023 })
        {
            foreach (var subVectors in new[] { 1, 3, 16 })
            {
                var table = Enumerable.Range(0, subVectors * IvfPqIndex.CodebookSize).Select(_ => (float)random.NextDouble() * 4).ToArray();
                table[random.Next(table.Length)] = float.NaN;
                var codes = new byte[subVectors * rowCount];
                random.NextBytes(codes);
                var rows = Enumerable.Range(0, rowCount).Select(r => (3L << 32) | (uint)(r * 2)).ToArray();
                var allowed = Enumerable.Range(0, rowCount * 2).Select(r => r % 7 != 0).ToArray();
                var mask = new RowMask(3);
                mask.Allow(3, allowed);
                const float Bias = 0.25f;
                const float Scale = 0.5f;

                var topK = new TopK(10);
                AdcScan.Scan((KernelWidth)width, table, subVectors, Bias, Scale, rows, codes, mask, topK);

                var expected = new List<(float Distance, long Row)>();
                for (var i = 0; i < rowCount; i++)
                {
                    var sum = 0f;
                    for (var s = 0; s < subVectors; s++)
                    {
                        sum += table[(s * IvfPqIndex.CodebookSize) + codes[(s * rowCount) + i]];
                    }

                    var distance = MathF.FusedMultiplyAdd(sum, Scale, Bias);
                    if (!float.IsNaN(distance) && mask.Allows(rows[i]))
                    {
                        expected.Add((distance, rows[i]));
                    }
                }

                var ranked = topK.ToSortedArray();
                var reference = expected.OrderBy(x => x.Distance).ThenBy(x => x.Row).Take(10).ToArray();
                Assert.Equal(reference.Select(x => x.Row), ranked.Select(x => x.Row));
                for (var i = 0; i < ranked.Length; i++)
                {
                    AssertSame(reference[i].Distance, ranked[i].Distance, $"hit {i} of {rowCount} rows × {subVectors}");
                }
            }
        }
    }

    public static TheoryData<int, int> WidthsBySeeds()
    {
        var data = new TheoryData<int, int>();
        foreach (var width in Widths)
        {
            foreach (var seed in new[] { 1, 2, 3 })
            {
                data.Add(width, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsBySeeds))]
    public void Long_partitions_with_ties_deletions_and_negative_tables_keep_the_rows_and_bits_of_the_scalar_reference(int width, int seed)
    {
        // Row counts around the 64-row blocks of the byte screen; tables of whole numbers (many equal sums,
        // so ties are decided by row id), of tiny and of huge values, and with negative entries (dot product).
        var random = new Random(seed * 31);
        foreach (var rowCount in new[] { 63, 64, 65, 127, 128, 129, 1000, 4099 })
        {
            foreach (var subVectors in new[] { 1, 5, 48, 96 })
            {
                foreach (var kind in new[] { "whole", "tiny", "huge", "negative", "flat" })
                {
                    var table = Enumerable.Range(0, subVectors * IvfPqIndex.CodebookSize).Select(_ => kind switch
                    {
                        "whole" => random.Next(4),
                        "tiny" => (float)random.NextDouble() * 1e-30f,
                        "huge" => (float)random.NextDouble() * 1e30f,
                        "negative" => ((float)random.NextDouble() * 2) - 1.5f,
                        _ => 0.5f,
                    }).ToArray();
                    var codes = new byte[subVectors * rowCount];
                    random.NextBytes(codes);
                    var rows = Enumerable.Range(0, rowCount).Select(r => ((long)(r % 3) << 32) | (uint)r).ToArray();
                    var mask = new RowMask(2);
                    mask.Allow(0, null);
                    mask.Allow(1, Enumerable.Range(0, rowCount).Select(r => r % 5 != 0).ToArray());
                    mask.Allow(2, Enumerable.Range(0, rowCount / 2).Select(r => r % 2 == 0).ToArray());
                    var bias = kind == "negative" ? 0.75f : 0f;
                    var scale = seed == 2 ? 0.5f : 1f;
                    var k = seed == 3 ? 100 : 10;

                    var topK = new TopK(k);
                    AdcScan.Scan((KernelWidth)width, table, subVectors, bias, scale, rows, codes, mask, topK);

                    var expected = new List<(float Distance, long Row)>();
                    for (var i = 0; i < rowCount; i++)
                    {
                        var sum = 0f;
                        for (var s = 0; s < subVectors; s++)
                        {
                            sum += table[(s * IvfPqIndex.CodebookSize) + codes[(s * rowCount) + i]];
                        }

                        if (mask.Allows(rows[i]))
                        {
                            expected.Add((MathF.FusedMultiplyAdd(sum, scale, bias), rows[i]));
                        }
                    }

                    var what = $"{kind} table, {rowCount} rows × {subVectors}";
                    var reference = expected.OrderBy(x => x.Distance).ThenBy(x => x.Row).Take(k).ToArray();
                    var ranked = topK.ToSortedArray();
                    Assert.True(reference.Select(x => x.Row).SequenceEqual(ranked.Select(x => x.Row)), what);
                    for (var i = 0; i < ranked.Length; i++)
                    {
                        AssertSame(reference[i].Distance, ranked[i].Distance, $"{what}, hit {i}");
                    }
                }
            }
        }
    }
}
