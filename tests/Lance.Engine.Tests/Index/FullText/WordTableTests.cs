using System.Text;
using Lance.Engine.Index.FullText;

namespace Lance.Engine.Tests.Index.FullText;

public class WordTableTests
{
    [Fact]
    public void Words_of_every_length_are_found_with_their_values_and_others_are_not()
    {
        // Lengths around the inline limits (8 and 16 bytes), words that differ only in their last byte or by a trailing
        // zero byte, and enough words that the table grows several times.
        var random = new Random(5);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < 50_000)
        {
            var length = random.Next(1, 41);
            words.Add(new string(Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(3))).ToArray()));
        }

        words.UnionWith(["abcdefgh", "abcdefgi", "abcdefghabcdefgh", "abcdefghabcdefgi", "x\0", "x", "é", "日本"]);
        var table = new WordTable();
        var values = words.Select((w, i) => (Bytes: Encoding.UTF8.GetBytes(w), Value: i)).ToList();
        foreach (var (bytes, value) in values)
        {
            Assert.False(table.TryGetValue(bytes, out _));
            table.Add(bytes, value);
        }

        Assert.Equal(values.Count, table.Count);
        Assert.All(values, v => Assert.True(table.TryGetValue(v.Bytes, out var found) && found == v.Value));
        Assert.False(table.TryGetValue("abcdefgj"u8, out _));
        Assert.False(table.TryGetValue("x\0\0"u8, out _));
        Assert.False(table.TryGetValue("abcdefghabcdefgj"u8, out _));
    }
}
