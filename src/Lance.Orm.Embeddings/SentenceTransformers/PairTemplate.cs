using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// How a Hugging Face tokenizer lays out a pair of texts (a query and a passage for a cross-encoder):
/// its post-processor's special tokens around and between them, and the token type of each part.
/// <c>BertProcessing</c> gives <c>[CLS] A [SEP] B [SEP]</c> with types 0 then 1,
/// <c>RobertaProcessing</c> <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c> all of type 0, and
/// <c>TemplateProcessing</c> whatever its <c>pair</c> template says.
/// </summary>
internal sealed class PairTemplate
{
    private readonly (int[] Ids, int Sequence, int TypeId)[] _pieces;

    private PairTemplate((int[] Ids, int Sequence, int TypeId)[] pieces) => _pieces = pieces;

    /// <summary>How many special tokens the template adds.</summary>
    public int SpecialCount => _pieces.Where(p => p.Sequence < 0).Sum(p => p.Ids.Length);

    /// <summary>The template of a BERT vocabulary with no tokenizer.json: <c>[CLS] A [SEP] B [SEP]</c>.</summary>
    public static PairTemplate Bert(int cls, int sep) => new([([cls], -1, 0), ([], 0, 0), ([sep], -1, 0), ([], 1, 1), ([sep], -1, 1)]);

    /// <summary>Reads the pair layout of a tokenizer.json <c>post_processor</c> (none: the texts back to back).</summary>
    /// <exception cref="EmbeddingException">The template names a special token it does not define.</exception>
    public static PairTemplate Read(JsonNode? node, string path)
    {
        if (node is not JsonObject obj)
        {
            return new([([], 0, 0), ([], 1, 1)]);
        }

        switch ((string?)obj["type"])
        {
            case "BertProcessing":
                return Bert((int)obj["cls"]![1]!, (int)obj["sep"]![1]!);
            case "RobertaProcessing":
                int cls = (int)obj["cls"]![1]!, sep = (int)obj["sep"]![1]!;
                return new([([cls], -1, 0), ([], 0, 0), ([sep, sep], -1, 0), ([], 1, 0), ([sep], -1, 0)]);
            case "TemplateProcessing":
                var specials = obj["special_tokens"] as JsonObject;
                var pieces = new List<(int[], int, int)>();
                if (obj["pair"] is not JsonArray pair)
                {
                    // No pair template: the single one around A, and its closing tokens again after B (type 1), as BERT lays pairs out.
                    var single = Read(new JsonObject { ["type"] = "TemplateProcessing", ["pair"] = obj["single"]?.DeepClone(), ["special_tokens"] = specials?.DeepClone() }, path);
                    var closing = single._pieces.SkipWhile(p => p.Sequence != 0).Skip(1).ToArray();
                    return new([.. single._pieces, ([], 1, 1), .. closing.Select(p => (p.Ids, p.Sequence, 1))]);
                }

                foreach (var piece in pair)
                {
                    if (piece?["Sequence"] is JsonObject sequence)
                    {
                        pieces.Add(([], (string?)sequence["id"] == "B" ? 1 : 0, (int?)sequence["type_id"] ?? 0));
                    }
                    else if (piece?["SpecialToken"] is JsonObject special)
                    {
                        var name = (string?)special["id"];
                        var ids = specials?[name ?? ""]?["ids"] as JsonArray
                            ?? throw new EmbeddingException($"The tokenizer '{path}' names the special token '{name}' in its pair template but does not define its ids.");
                        pieces.Add((ids.Select(i => (int)i!).ToArray(), -1, (int?)special["type_id"] ?? 0));
                    }
                }

                return new(pieces.ToArray());
            case "Sequence":
                foreach (var child in obj["processors"] as JsonArray ?? [])
                {
                    if (child is JsonObject { } processor && (string?)processor["type"] is "BertProcessing" or "RobertaProcessing" or "TemplateProcessing")
                    {
                        return Read(child, path);
                    }
                }

                return new([([], 0, 0), ([], 1, 1)]);
            default:
                return new([([], 0, 0), ([], 1, 1)]);
        }
    }

    /// <summary>
    /// Lays out <paramref name="first"/> and <paramref name="second"/> (token ids without specials) in
    /// at most <paramref name="maxTokens"/> tokens, shortening the longer text first as Hugging Face's
    /// <c>longest_first</c> truncation does.
    /// </summary>
    public (int[] Ids, int[] TypeIds) Build(IReadOnlyList<int> first, IReadOnlyList<int> second, int maxTokens)
    {
        var (n1, n2) = Truncate(first.Count, second.Count, Math.Max(0, maxTokens - SpecialCount));
        var ids = new List<int>(n1 + n2 + SpecialCount);
        var types = new List<int>(ids.Capacity);
        foreach (var (pieceIds, sequence, typeId) in _pieces)
        {
            IEnumerable<int> tokens = sequence switch
            {
                0 => first.Take(n1),
                1 => second.Take(n2),
                _ => pieceIds,
            };
            foreach (var token in tokens)
            {
                ids.Add(token);
                types.Add(typeId);
            }
        }

        return (ids.ToArray(), types.ToArray());
    }

    // The lengths Hugging Face's tokenizers keep under longest_first truncation.
    private static (int First, int Second) Truncate(int n1, int n2, int room)
    {
        if (n1 + n2 <= room)
        {
            return (n1, n2);
        }

        var swap = n1 > n2;
        var (shorter, longer) = swap ? (n2, n1) : (n1, n2);
        longer = shorter > room ? shorter : Math.Max(shorter, room - shorter);
        if (shorter + longer > room)
        {
            shorter = room / 2;
            longer = shorter + (room % 2);
        }

        // Never longer than the text itself.
        return swap ? (Math.Min(longer, n1), Math.Min(shorter, n2)) : (Math.Min(shorter, n1), Math.Min(longer, n2));
    }
}
