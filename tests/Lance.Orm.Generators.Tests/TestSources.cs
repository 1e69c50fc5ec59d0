namespace Lance.Orm.Generators.Tests;

/// <summary>Model sources shared by the snapshot, diagnostic and compile-and-run tests.</summary>
internal static class TestSources
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Text.Json.Nodes;
        using System.Threading;
        using System.Threading.Tasks;
        using Lance.Orm;

        """;

    /// <summary>A stand-in for Lance.Orm.Embeddings' MiniLm, with the same name and dimension.</summary>
    public const string MiniLm = """
        [EmbeddingFunction("sentence-transformers", Dimensions = 384)]
        public class MiniLm : IEmbeddingFunction
        {
            public string Name => "sentence-transformers";
            public int Dimensions => 384;
            public JsonObject GetConfiguration() => new();
            public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default) =>
                Task.FromResult(sources.Select(_ => new float[384]).ToArray());
            public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default) =>
                Task.FromResult(new float[384]);
        }

        """;

    /// <summary>The canonical model of the design document.</summary>
    public const string Doc = Usings + MiniLm + """
        public partial record Doc : ILanceModel
        {
            public long Id { get; init; }
            [Source] public string Text { get; init; } = "";
            [Vector(typeof(MiniLm))] public float[]? Vector { get; init; }
            public double Score { get; init; }
            public bool Published { get; init; }
        }

        """;

    /// <summary>Every scalar in nullable form, and vectors with explicit dimensions (no function).</summary>
    public const string Reading = Usings + """
        namespace Telemetry;

        public partial record Reading : ILanceModel
        {
            public long? Id { get; init; }
            public int? Count { get; init; }
            public float? Ratio { get; init; }
            public double? Score { get; init; }
            public bool? Flag { get; init; }
            public string? Label { get; init; }
            public int Level { get; init; }
            public float Gain { get; init; }
            [Vector(384)] public float[] Embedding { get; init; } = [];
            [Vector(4)] public float[]? Extra { get; init; }
        }

        """;

    /// <summary>Key members: Lance.Orm's [Key] on a renamed member and DataAnnotations' [Key] (a composite key).</summary>
    public const string Keyed = Usings + """
        public partial record Stock : ILanceModel
        {
            [Key, Column("region_code")] public string Region { get; init; } = "";
            [System.ComponentModel.DataAnnotations.Key] public int @class { get; init; }
            public int Count { get; init; }
        }

        """;

    /// <summary>Search-result members: a distance, a relevance, a full-text score and a query index, filled from results, never columns.</summary>
    public const string Hit = Usings + """
        namespace Search;

        public partial record Hit : ILanceModel
        {
            public long Id { get; init; }
            public string Text { get; init; } = "";
            [Vector(2)] public float[] Vector { get; init; } = [];
            [Distance] public float Distance { get; init; }
            [Relevance] public double? Relevance { get; init; }
            [Score] public float? Score { get; init; }
            [QueryIndex] public int Query { get; init; }
        }

        """;

    /// <summary>Explicit column names, ignored and unmapped members, a class rather than a record.</summary>
    public const string Product = Usings + """
        namespace Shop.Catalog
        {
            public partial class Product : ILanceModel
            {
                [Column("sku")] public string Code { get; set; } = "";
                public string HTMLText { get; set; } = "";
                public string ImageUri { get; private set; } = "none";
                public int StockCount { get; set; } = 7;
                [Ignore] public string Cache { get; set; } = "";
                public string Display => Code + "!";
                public static int Created { get; set; }
                public int this[int index] => index;
                public void Touch() { }
            }
        }

        """;
}
