using System.Text;
using Lance.Engine.Index.FullText;

namespace Lance.Engine.Tests.Index.FullText;

public sealed class FstBuilderTests
{
    private static readonly string Alphabet = "abcdeéfghijklmnopqrstuvwxyzßøæ0123456789-_.çñ日本語ΣΩ";

    private static Dictionary<string, ulong> RandomMap(int seed, int count)
    {
        var random = new Random(seed);
        var map = new Dictionary<string, ulong>(StringComparer.Ordinal) { [""] = 7 };
        while (map.Count < count)
        {
            var length = 1 + random.Next(9);
            var key = new string(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
            // Small and huge values, so outputs of every pack size are pushed along shared prefixes.
            map[key] = random.Next(4) switch
            {
                0 => (ulong)random.Next(3),
                1 => (ulong)random.Next(1000),
                2 => (ulong)random.NextInt64(),
                _ => (ulong)map.Count,
            };
        }

        return map;
    }

    private static FstMap Build(Dictionary<string, ulong> map)
        => FstMap.Parse(FstBuilder.Build(map.Select(kv => (Encoding.UTF8.GetBytes(kv.Key), kv.Value))), "test");

    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 3000)]
    public void Every_key_reads_back_its_value_and_absent_keys_are_absent(int seed, int count)
    {
        var map = RandomMap(seed, count);
        var fst = Build(map);

        Assert.Equal(map.Count, fst.Count);
        foreach (var (key, value) in map)
        {
            Assert.True(fst.TryGetValue(key, out var found), key);
            Assert.Equal(value, found);
        }

        var random = new Random(seed + 100);
        for (var i = 0; i < 500; i++)
        {
            var probe = new string(Enumerable.Range(0, 1 + random.Next(10)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
            Assert.Equal(map.ContainsKey(probe), fst.TryGetValue(probe, out _));
        }
    }

    [Fact]
    public void Entries_come_back_in_utf8_byte_order()
    {
        var map = RandomMap(3, 800);
        var expected = map.OrderBy(kv => Encoding.UTF8.GetBytes(kv.Key), FstBuilder.ByteOrder.Instance).Select(kv => (kv.Key, kv.Value)).ToList();

        Assert.Equal(expected, Build(map).Entries().ToList());
    }

    [Fact]
    public void A_node_with_every_byte_value_and_one_above_the_index_threshold_read_back()
    {
        // 128 one-byte keys (ASCII) plus two-byte keys sharing a first byte: nodes of 128 and 64 transitions.
        var map = new Dictionary<string, ulong>(StringComparer.Ordinal);
        for (var c = 0; c < 128; c++)
        {
            map[((char)c).ToString()] = (ulong)(c * 3);
            map["q" + (char)c] = (ulong)(1000 + c);
        }

        var fst = Build(map);
        foreach (var (key, value) in map)
        {
            Assert.True(fst.TryGetValue(key, out var found));
            Assert.Equal(value, found);
        }
    }

    [Fact]
    public void An_empty_map_has_no_keys()
    {
        var fst = FstMap.Parse(FstBuilder.Build([]), "test");

        Assert.Equal(0, fst.Count);
        Assert.False(fst.TryGetValue("a", out _));
        Assert.Empty(fst.Entries());
    }

    [Fact]
    public void Keys_out_of_order_are_refused()
    {
        var builder = new FstBuilder();
        builder.Add("b"u8, 1);

        Assert.Throws<ArgumentException>(() => builder.Add("a"u8, 2));
        Assert.Throws<ArgumentException>(() => builder.Add("b"u8, 2));
    }

    [Fact]
    public void The_checksum_is_the_masked_crc32c_of_what_precedes_it()
    {
        var bytes = FstBuilder.Build([("abc"u8.ToArray(), 1UL), ("abd"u8.ToArray(), 2UL)]);

        // CRC-32C of "123456789" is 0xE3069283 (the standard check value); the fst crate masks it like Snappy.
        var crc = Crc32C(bytes.AsSpan(0, bytes.Length - 4));
        var masked = ((crc >> 15) | (crc << 17)) + 0xA282EAD8;
        Assert.Equal(0xE3069283u, Crc32C("123456789"u8));
        Assert.Equal(masked, BitConverter.ToUInt32(bytes, bytes.Length - 4));
    }

    // Bitwise, independent of the builder's table-free intrinsic version.
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
