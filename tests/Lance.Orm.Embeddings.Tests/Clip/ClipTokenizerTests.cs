using System.Text;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>
/// CLIP's BPE on a four-merge vocabulary. Expected ids follow from CLIP's layout by hand: the byte
/// alphabet lists '!'..'~' first, so a printable ASCII character c has id c - 33 and c + "&lt;/w&gt;"
/// has 256 + c - 33; merges follow from 512 in file order; then the two specials.
/// </summary>
public sealed class ClipTokenizerTests
{
    private static ClipTokenizer Tokenizer() => ClipTokenizer.FromStreams(new MemoryStream(Encoding.UTF8.GetBytes(TinyClipExport.Merges)));

    [Fact]
    public void Merges_apply_by_rank_until_none_applies()
    {
        // h e l l o</w> → he l l o</w> → he ll o</w> → hell o</w> → hello</w> (merge 3 → id 515)
        Assert.Equal([515], Tokenizer().Encode("hello"));
    }

    [Fact]
    public void Unmerged_words_are_bytes_with_the_last_marked_end_of_word()
    {
        // w=119-33, o=111-33, r=114-33, l=108-33, d</w>=256+100-33, !</w>=256+0
        Assert.Equal([86, 78, 81, 75, 323, 256], Tokenizer().Encode("world!"));
    }

    [Fact]
    public void Text_is_lower_cased_with_whitespace_collapsed_and_html_unescaped()
    {
        // "hello" 515, "&" → '&'(38)+</w> = 256+5 = 261, "world" as above
        Assert.Equal([515, 261, 86, 78, 81, 75, 323], Tokenizer().Encode("  HELLO \n\t&amp;amp;   World "));
    }

    [Fact]
    public void Special_tokens_follow_the_merges()
    {
        var tokenizer = Tokenizer();

        Assert.Equal((516, 517, 518), (tokenizer.StartId, tokenizer.EndId, tokenizer.VocabularySize));
    }

    [Fact]
    public void Model_input_is_start_ids_end_then_zero_padding_to_77()
    {
        var ids = Tokenizer().EncodeForModel("hello hello");

        Assert.Equal(77, ids.Length);
        Assert.Equal([516L, 515, 515, 517], ids[..4]);
        Assert.All(ids[4..], id => Assert.Equal(0L, id));
    }

    [Fact]
    public void Long_texts_are_truncated_and_still_end_with_the_end_token()
    {
        var ids = Tokenizer().EncodeForModel(string.Join(' ', Enumerable.Repeat("hello", 200)));

        Assert.Equal((516L, 515L, 517L), (ids[0], ids[75], ids[76]));
    }

    [Fact]
    public void Non_ascii_text_is_encoded_as_utf8_bytes()
    {
        // 'é' is UTF-8 C3 A9: both bytes are printable Latin-1 and map to themselves.
        // In the alphabet order '¡'..'¬' (161..172) follow the 94 ASCII ones, then '®'..'ÿ' (174..255):
        // Ã (0xC3 = 195) → 94 + 12 + (195 - 174) = 127; © (0xA9 = 169) + </w> → 256 + 94 + (169 - 161) = 358.
        Assert.Equal([127, 358], Tokenizer().Encode("é"));
    }

    [Fact]
    public void A_vocab_json_supplies_the_ids()
    {
        using var export = new TinyClipExport(withVocabJson: true);

        var tokenizer = ClipTokenizer.FromFiles(Path.Combine(export.Folder, OpenClip.MergesFile), Path.Combine(export.Folder, OpenClip.VocabFile));

        Assert.Equal([15], tokenizer.Encode("hello"));
    }

    [Fact]
    public void A_malformed_merges_file_is_an_embedding_error()
    {
        var ex = Assert.Throws<EmbeddingException>(() => ClipTokenizer.FromStreams(new MemoryStream(Encoding.UTF8.GetBytes("#version: 0.2\nh e x\n"))));

        Assert.Contains("Line 2", ex.Message);
    }
}
