using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// An inverted (full-text) index in Lance's own layout, read from <c>_indices/&lt;uuid&gt;/</c>:
/// <c>metadata.lance</c> (no rows; its schema metadata holds <c>params</c>, the tokenizer options as
/// JSON, <c>partitions</c>, a JSON list of partition ids, <c>token_set_format</c> and
/// <c>posting_tail_codec</c>) and three files per partition (see <see cref="InvertedPartition"/>).
/// Recorded in the manifest with the details type <see cref="DetailsTypeUrl"/>.
/// </summary>
internal sealed class FullTextIndex
{
    /// <summary>The type URL of the index details Lance records for an inverted index.</summary>
    public const string DetailsTypeUrl = "/lance.table.InvertedIndexDetails";

    /// <summary>The metadata file's name.</summary>
    public const string MetadataFile = "metadata.lance";

    public FullTextIndex(FullTextIndexOptions options, IReadOnlyList<InvertedPartition> partitions)
    {
        Options = options;
        Analyzer = new TextAnalyzer(options);
        Partitions = partitions;
        DocumentCount = partitions.Sum(p => (long)p.DocumentCount);
        var tokens = partitions.Sum(p => p.TotalTokens);
        AverageLength = DocumentCount == 0 ? 0f : (float)tokens / DocumentCount;
    }

    /// <summary>The tokenizer options the index was built with.</summary>
    public FullTextIndexOptions Options { get; }

    /// <summary>The analyzer of those options (also applied to query text).</summary>
    public TextAnalyzer Analyzer { get; }

    /// <summary>The partitions.</summary>
    public IReadOnlyList<InvertedPartition> Partitions { get; }

    /// <summary>The documents of every partition (BM25's N).</summary>
    public long DocumentCount { get; }

    /// <summary>The average number of tokens per document (BM25's avgdl).</summary>
    public float AverageLength { get; }

    /// <summary>Whether <paramref name="metadata"/> records a full-text index.</summary>
    public static bool IsFullText(IndexMetadata metadata) => metadata.DetailsTypeUrl.EndsWith("InvertedIndexDetails", StringComparison.Ordinal);

    /// <summary>The index <paramref name="metadata"/> records, read once per dataset instance.</summary>
    public static FullTextIndex Get(Snapshot snapshot, IndexMetadata metadata)
        => snapshot.FullTextIndexes.GetOrAdd(metadata.Uuid, _ => Load(snapshot.Files, metadata.FolderName));

    /// <summary>Reads the index files under <c>_indices/<paramref name="folder"/>/</c>.</summary>
    /// <exception cref="LanceIndexException">A file is missing or not in a layout this engine reads.</exception>
    public static FullTextIndex Load(DatasetFiles files, string folder)
    {
        var prefix = DatasetFiles.IndexFolder(folder);
        try
        {
            Dictionary<string, string> meta;
            using (var reader = files.OpenData(prefix + MetadataFile))
            {
                meta = reader.Schema.Metadata.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(kv.Value));
            }

            var options = meta.TryGetValue("params", out var json) ? FullTextIndexOptions.FromJson(json) : new FullTextIndexOptions();
            var ids = meta.TryGetValue("partitions", out var list) ? System.Text.Json.Nodes.JsonNode.Parse(list)!.AsArray().Select(n => n!.GetValue<ulong>()).ToArray() : [];
            var fst = !meta.TryGetValue("token_set_format", out var format) || format == "fst";
            var fixed32 = !meta.TryGetValue("posting_tail_codec", out var codec) || codec == "fixed32_v1";
            if (meta.TryGetValue("posting_block_size", out var block) && block != "128")
            {
                throw new LanceIndexException($"The full-text index '{files.Describe(prefix)}' uses posting blocks of {block}; this engine reads blocks of 128.");
            }

            var partitions = ids.Select(id => LoadPartition(files, prefix, id, fst, fixed32)).ToList();
            return new FullTextIndex(options, partitions);
        }
        catch (Exception e) when (e is IOException or LanceFormatException or JsonException or InvalidCastException)
        {
            throw new LanceIndexException($"The full-text index '{files.Describe(prefix)}' cannot be read: {e.Message}", e);
        }
    }

    private static InvertedPartition LoadPartition(DatasetFiles files, string prefix, ulong id, bool fst, bool fixed32)
    {
        RecordBatch tokens, docs, invert;
        using (var r = files.OpenData($"{prefix}part_{id}_tokens.lance"))
        {
            tokens = r.Read();
        }

        using (var r = files.OpenData($"{prefix}part_{id}_docs.lance"))
        {
            docs = r.Read();
        }

        using (var r = files.OpenData($"{prefix}part_{id}_invert.lance"))
        {
            invert = r.Read();
        }

        FstMap? map = null;
        Dictionary<string, uint>? dictionary = null;
        if (fst && tokens.Schema.GetFieldIndex("_token_fst_bytes") is var f and >= 0)
        {
            var bytes = (LargeBinaryArray)tokens.Column(f);
            map = FstMap.Parse(bytes.GetBytes(0).ToArray(), $"{prefix}part_{id}_tokens.lance");
        }
        else
        {
            var names = (StringArray)tokens.Column("_token");
            var tokenIds = (UInt32Array)tokens.Column("_token_id");
            dictionary = new Dictionary<string, uint>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                dictionary[names.GetString(i)] = tokenIds.GetValue(i)!.Value;
            }
        }

        var rowIds = ((UInt64Array)docs.Column("_rowid")).Values.ToArray();
        var numTokens = ((UInt32Array)docs.Column("_num_tokens")).Values.ToArray();
        var positionIndex = invert.Schema.GetFieldIndex("_position");
        return new InvertedPartition(
            id,
            map,
            dictionary,
            rowIds,
            numTokens,
            (ListArray)invert.Column("_posting"),
            (UInt32Array)invert.Column("_length"),
            positionIndex >= 0 ? (ListArray)invert.Column(positionIndex) : null,
            fixed32);
    }
}
