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
}
